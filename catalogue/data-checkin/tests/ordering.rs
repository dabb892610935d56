//! Whatever sequence of check-ins arrives (in order, replayed, skipping ahead, forged),
//! each `(key, chain)` holds exactly the accepted ones in order, every accepted root is
//! provable at its number against the EE's root, and a refused check-in changes nothing.
use data_checkin_ee::client::{ChainView, CheckinClient, Keypair, checkin, verify_entry};
use ee_sdk::{EeId, Root, ShardId};
use proptest::prelude::*;
use std::collections::BTreeMap;

const EE: EeId = EeId(50);

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn accepted_checkins_are_ordered_and_provable(
        steps in prop::collection::vec((0usize..3, 0u8..2, prop_oneof![Just(0i8), Just(0), Just(-1), Just(1)], any::<bool>(), 1u8..255), 1..14)
    ) {
        let keys: Vec<Keypair> = (0..3u8).map(|i| Keypair::from_seed(&[b'c', i])).collect();
        let view = ChainView { shard: ShardId(0), shard_count: 1, ee: EE, ..ChainView::default() };
        let mut client = CheckinClient::new();
        let mut model: BTreeMap<(usize, u8), Vec<Root>> = BTreeMap::new();
        for (k, chain, skew, forge, tag) in steps {
            let chain_id = [chain; 32];
            let have = model.get(&(k, chain)).map_or(0, Vec::len) as u64;
            let seq = (have + 1).saturating_add_signed(i64::from(skew));
            let root = [tag; 32];
            let mut c = checkin(&keys[k], chain_id, seq, root, EE, ShardId(0));
            if forge {
                c.key = keys[(k + 1) % 3].public;
            }
            let before = client.root(ShardId(0));
            match client.prepare(c, &view) {
                Ok(p) => {
                    prop_assert!(skew == 0 && !forge);
                    client.commit(&p);
                    prop_assert_eq!(client.root(ShardId(0)), p.post_root);
                    model.entry((k, chain)).or_default().push(root);
                }
                Err(_) => {
                    prop_assert!(skew != 0 || forge);
                    prop_assert_eq!(client.root(ShardId(0)), before);
                }
            }
        }
        let ee_root = client.root(ShardId(0));
        for ((k, chain), roots) in &model {
            let key = keys[*k].public;
            prop_assert_eq!(client.seq(ShardId(0), &key, &[*chain; 32]), roots.len() as u64);
            for (i, root) in roots.iter().enumerate() {
                let seq = i as u64 + 1;
                let proof = client.prove_entry(ShardId(0), &key, &[*chain; 32], seq);
                prop_assert!(verify_entry(&ee_root, &key, &[*chain; 32], seq, root, &proof));
                let mut other = *root;
                other[0] ^= 1;
                prop_assert!(!verify_entry(&ee_root, &key, &[*chain; 32], seq, &other, &proof));
                prop_assert!(!verify_entry(&ee_root, &key, &[*chain; 32], seq + 1, root, &proof));
            }
        }
    }
}
