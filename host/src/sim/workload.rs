//! The seeded workload: who sends what, where, in every block.
//!
//! Every EE starts with its funds on its home shard (`ee % shards`). A block on shard `s`
//! draws senders among the EEs with a positive real balance on `s` (tracked from the
//! meta-EE's accepted outputs, so it equals `Σ_r M_e[r][s]`) and gives each transaction
//! 1..=`transfers_per_tx` transfers of one kind, by the [`Mix`] weights:
//!
//! * **cross-shard**: the same EE on another shard (funds move to column `t`);
//! * **cross-EE**: another EE, on this shard or (half the time) another one;
//! * **self-balanced**: two EEs pay each other the same amount in the block: no deficit,
//!   so no proof (the netting economy).
//!
//! Amounts stay within the sender's remaining real balance, except for 2% deliberate
//! overdrafts that the meta-EE must refuse. Value that reaches a shard other than an EE's
//! home sits in off-diagonal cells; spending it needs a foreign proof or a known minimum.
//!
//! The [`Shape`] bends this: `hot-spot:N` gives EEs `0..N` a hundred times the genesis
//! balance and makes them the sender and the counterparty of 80% of transfers (a few EEs
//! carry most value); `skewed` sends half of all cross-shard value to shard 0 (or 1 from
//! shard 0), so one shard's column cells pile up.
use super::SimConfig;
#[cfg(test)]
use ee_sdk::codec::DecodeAll;
use ee_sdk::codec::Encode;
use ee_sdk::{EeId, ShardId, ShardTransaction, Transfer};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// Relative weights of the transfer kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Mix {
    /// Same EE, other shard.
    pub cross_shard: u32,
    /// Other EE (same or other shard).
    pub cross_ee: u32,
    /// Pairs of EEs paying each other equally.
    pub self_balanced: u32,
}

impl Default for Mix {
    fn default() -> Self {
        Mix { cross_shard: 50, cross_ee: 35, self_balanced: 15 }
    }
}

impl Mix {
    /// Parses `cross_shard:cross_ee:self_balanced`, e.g. `50:35:15`.
    pub fn parse(text: &str) -> Result<Mix, String> {
        let parts: Vec<u32> = text
            .split(':')
            .map(|p| p.trim().parse::<u32>().map_err(|e| format!("bad mix weight `{p}`: {e}")))
            .collect::<Result<_, _>>()?;
        match parts[..] {
            [a, b, c] if a.saturating_add(b).saturating_add(c) > 0 => {
                Ok(Mix { cross_shard: a, cross_ee: b, self_balanced: c })
            }
            [_, _, _] => Err("mix weights must not all be zero".into()),
            _ => Err(format!("mix `{text}` must be three weights, cross_shard:cross_ee:self_balanced")),
        }
    }
}

/// How value and traffic are spread over EEs and shards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "shape")]
pub enum Shape {
    /// Every EE alike, every shard alike.
    #[default]
    Uniform,
    /// EEs `0..ees` hold 100× the genesis balance and take part in 80% of transfers.
    HotSpot {
        /// How many hot EEs.
        ees: u32,
    },
    /// Half of the cross-shard value goes to shard 0 (from shard 0: to shard 1).
    Skewed,
}

impl Shape {
    /// Parses `uniform`, `hot-spot:N` or `skewed`.
    pub fn parse(text: &str) -> Result<Shape, String> {
        match text.split_once(':') {
            None if text == "uniform" => Ok(Shape::Uniform),
            None if text == "skewed" => Ok(Shape::Skewed),
            Some(("hot-spot", n)) => match n.parse::<u32>() {
                Ok(ees) if ees > 0 => Ok(Shape::HotSpot { ees }),
                _ => Err(format!("hot-spot needs a positive EE count, got `{n}`")),
            },
            _ => Err(format!("unknown shape `{text}`: uniform, hot-spot:N or skewed")),
        }
    }

    /// Whether `ee` is hot.
    fn hot(self, ee: u32) -> bool {
        matches!(self, Shape::HotSpot { ees } if ee < ees)
    }

    /// EE `ee`'s genesis balance on its home shard, given the base `balance`.
    pub fn genesis_balance(self, ee: u32, balance: i64) -> i64 {
        if self.hot(ee) { balance.saturating_mul(100) } else { balance }
    }
}

/// The generator and its ledger of real balances.
pub struct Workload {
    rng: Pcg64,
    /// `real[shard][ee]` of the transfer EEs.
    real: Vec<Vec<i128>>,
    /// `(shard, ee)` of other EEs (the extra users').
    others: std::collections::BTreeMap<(ShardId, EeId), i128>,
}

enum Kind {
    CrossShard,
    CrossEe,
    SelfBalanced,
}

impl Workload {
    /// The genesis ledger of `config`; `others` are more EEs (starting with nothing) whose
    /// netted value the ledger follows too.
    pub fn new(config: &SimConfig, others: &[EeId]) -> Self {
        let reserve = i128::from(config.reserve());
        let mut real = vec![vec![reserve; config.ees as usize]; config.shards as usize];
        for e in 0..config.ees {
            real[(e % config.shards) as usize][e as usize] += config.home_diagonal(e);
        }
        let others =
            (0..config.shards).flat_map(|s| others.iter().map(move |e| ((ShardId(s), *e), 0))).collect();
        Workload { rng: Pcg64::seed_from_u64(config.seed), real, others }
    }

    fn cell(&mut self, shard: ShardId, ee: EeId) -> &mut i128 {
        match self.real.get_mut(shard.0 as usize).and_then(|row| row.get_mut(ee.0 as usize)) {
            Some(cell) => cell,
            None => self.others.entry((shard, ee)).or_default(),
        }
    }

    /// `real_balance(shard, ee)` as the ledger knows it.
    pub fn real_balance(&self, shard: ShardId, ee: EeId) -> i128 {
        match self.real.get(shard.0 as usize).and_then(|row| row.get(ee.0 as usize)) {
            Some(v) => *v,
            None => self.others.get(&(shard, ee)).copied().unwrap_or(0),
        }
    }

    /// Records an accepted netting output.
    pub fn apply(&mut self, from_shard: ShardId, from: EeId, to_shard: ShardId, to: EeId, amount: u64) {
        *self.cell(from_shard, from) -= i128::from(amount);
        *self.cell(to_shard, to) += i128::from(amount);
    }

    /// Records value entering `(shard, ee)` (a claimed beacon deposit).
    pub fn credit(&mut self, shard: ShardId, ee: EeId, amount: u64) {
        *self.cell(shard, ee) += i128::from(amount);
    }

    fn kind(&mut self, mix: &Mix) -> Kind {
        let total = mix.cross_shard + mix.cross_ee + mix.self_balanced;
        let x = self.rng.random_range(0..total);
        if x < mix.cross_shard {
            Kind::CrossShard
        } else if x < mix.cross_shard + mix.cross_ee {
            Kind::CrossEe
        } else {
            Kind::SelfBalanced
        }
    }

    fn other(&mut self, n: u32, not: u32) -> u32 {
        (not + self.rng.random_range(1..n)) % n
    }

    /// Another shard than `s` for value to go to.
    fn target_shard(&mut self, config: &SimConfig, s: u32) -> u32 {
        if config.shape == Shape::Skewed && self.rng.random_bool(0.5) {
            if s == 0 { 1 } else { 0 }
        } else {
            self.other(config.shards, s)
        }
    }

    /// Another EE than `e` to pay.
    fn counterparty(&mut self, config: &SimConfig, e: u32) -> u32 {
        if let Shape::HotSpot { ees } = config.shape
            && ees.min(config.ees) > 1
            && self.rng.random_range(0..100) < 80
        {
            let hot = ees.min(config.ees);
            let f = self.rng.random_range(0..hot);
            if f != e {
                return f;
            }
        }
        self.other(config.ees, e)
    }

    /// The user transactions of one slot: a block for every shard.
    pub fn slot(&mut self, config: &SimConfig) -> Vec<(ShardId, Vec<ShardTransaction>)> {
        (0..config.shards).map(|s| (ShardId(s), self.block(config, s))).collect()
    }

    fn block(&mut self, config: &SimConfig, s: u32) -> Vec<ShardTransaction> {
        let mut budget: Vec<i128> = self.real[s as usize].clone();
        let mut txs = Vec::new();
        for _ in 0..config.tx_per_block {
            let senders: Vec<u32> = (0..config.ees).filter(|&e| budget[e as usize] > 0).collect();
            if senders.is_empty() {
                break;
            }
            let hot: Vec<u32> = senders.iter().copied().filter(|&e| config.shape.hot(e)).collect();
            let e = if !hot.is_empty() && self.rng.random_range(0..100) < 80 {
                hot[self.rng.random_range(0..hot.len())]
            } else {
                senders[self.rng.random_range(0..senders.len())]
            };
            let kind = self.kind(&config.mix);
            let count = self.rng.random_range(1..=config.transfers_per_tx.max(1));
            let mut transfers = Vec::new();
            let mut answers = Vec::new();
            for _ in 0..count {
                let available = budget[e as usize];
                if available <= 0 {
                    break;
                }
                let cap = u64::try_from((available / (2 * i128::from(count))).max(1)).unwrap_or(u64::MAX);
                let mut amount = self.rng.random_range(1..=cap);
                if self.rng.random_range(0..100) < 2 {
                    amount = u64::try_from(available + 1).unwrap_or(u64::MAX);
                }
                budget[e as usize] -= i128::from(amount);
                let (shard, ee) = match kind {
                    Kind::CrossShard => (self.target_shard(config, s), None),
                    Kind::CrossEe | Kind::SelfBalanced if config.ees < 2 => {
                        (self.target_shard(config, s), None)
                    }
                    Kind::CrossEe => {
                        let f = self.counterparty(config, e);
                        let t = if self.rng.random_bool(0.5) { s } else { self.target_shard(config, s) };
                        (t, Some(EeId(f)))
                    }
                    Kind::SelfBalanced => {
                        let f = self.counterparty(config, e);
                        answers.push((f, Transfer { amount, shard: ShardId(s), ee: Some(EeId(e)) }));
                        budget[e as usize] += i128::from(amount);
                        (s, Some(EeId(f)))
                    }
                };
                transfers.push(Transfer { amount, shard: ShardId(shard), ee });
            }
            txs.push(ShardTransaction { ee_id: EeId(e), data: transfers.encode() });
            for (f, t) in answers {
                txs.push(ShardTransaction { ee_id: EeId(f), data: vec![t].encode() });
            }
        }
        txs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_parses_and_refuses_nonsense() {
        assert_eq!(Mix::parse("1:2:3"), Ok(Mix { cross_shard: 1, cross_ee: 2, self_balanced: 3 }));
        assert!(Mix::parse("0:0:0").is_err());
        assert!(Mix::parse("1:2").is_err());
        assert!(Mix::parse("a:b:c").is_err());
    }

    #[test]
    fn shapes_parse_and_refuse_nonsense() {
        assert_eq!(Shape::parse("uniform"), Ok(Shape::Uniform));
        assert_eq!(Shape::parse("skewed"), Ok(Shape::Skewed));
        assert_eq!(Shape::parse("hot-spot:4"), Ok(Shape::HotSpot { ees: 4 }));
        for bad in ["hot-spot:0", "hot-spot:x", "hot-spot", "zipf", ""] {
            assert!(Shape::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hot_spots_carry_most_value_and_skew_fills_shard_0() {
        let config =
            SimConfig { shards: 4, ees: 32, shape: Shape::HotSpot { ees: 2 }, ..SimConfig::default() };
        let mut w = Workload::new(&config, &[]);
        let (mut hot_txs, mut home_txs, mut hot_value, mut value) = (0usize, 0usize, 0u128, 0u128);
        for _ in 0..20 {
            for (s, txs) in w.slot(&config) {
                for t in &txs {
                    let sent: u128 = Vec::<Transfer>::decode_all(&mut &t.data[..])
                        .unwrap()
                        .iter()
                        .map(|t| u128::from(t.amount))
                        .sum();
                    value += sent;
                    if t.ee_id.0 < 2 {
                        hot_value += sent;
                    }
                    // The hot EEs' funds are on their home shards 0 and 1.
                    if s.0 < 2 {
                        home_txs += 1;
                        hot_txs += usize::from(t.ee_id.0 < 2);
                    }
                }
            }
        }
        assert!(
            hot_txs * 2 > home_txs,
            "hot EEs send most transactions on their shards: {hot_txs} of {home_txs}"
        );
        assert!(hot_value * 2 > value, "hot EEs move most value: {hot_value} of {value}");
        let config = SimConfig {
            shards: 4,
            ees: 8,
            shape: Shape::Skewed,
            mix: Mix { cross_shard: 1, cross_ee: 0, self_balanced: 0 },
            ..SimConfig::default()
        };
        let mut w = Workload::new(&config, &[]);
        let mut to = [0usize; 4];
        for (s, txs) in w.slot(&config) {
            for t in txs {
                for tr in Vec::<Transfer>::decode_all(&mut &t.data[..]).unwrap() {
                    if s.0 != 0 {
                        to[tr.shard.0 as usize] += 1;
                    }
                }
            }
        }
        // From shards 1..3, shard 0 gets half plus its uniform share; the others a sixth each.
        assert!(to[0] > 2 * to[1].max(to[2]).max(to[3]), "{to:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_workload() {
        let config = SimConfig::default();
        let a = Workload::new(&config, &[]).slot(&config);
        let b = Workload::new(&config, &[]).slot(&config);
        assert_eq!(a, b);
        let other = SimConfig { seed: 2, ..SimConfig::default() };
        assert_ne!(a, Workload::new(&other, &[]).slot(&other));
    }
}
