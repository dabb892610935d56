//! The node as the server of `ee-client`'s method table: one function per JSON-RPC
//! method ([`ee_client::api::Api`]), so a method without an implementation does not
//! compile.
use crate::node::{DevnetError, Node};
use ee_client::api::Api;
use ee_client::error::RpcError;
use ee_client::report::{BlockReport, ReceiptReport};
use ee_client::types::*;

impl From<DevnetError> for RpcError {
    fn from(e: DevnetError) -> Self {
        RpcError::new(e.code(), e.to_string())
    }
}

impl Api for Node {
    fn head(&self) -> Result<HeadInfo, RpcError> {
        Ok(Node::head(self)?)
    }
    fn send_transaction(&self, tx: TxRequest) -> Result<TxAccepted, RpcError> {
        Ok(self.submit(&tx)?)
    }
    fn get_transaction(&self, hash: String) -> Result<TxLocation, RpcError> {
        Ok(self.transaction_location(&hash)?)
    }
    fn deploy(&self, script: Hex) -> Result<DeployResult, RpcError> {
        Ok(Node::deploy(self, &script.0, true)?)
    }
    fn estimate_deploy(&self, script: Hex) -> Result<DeployResult, RpcError> {
        Ok(Node::deploy(self, &script.0, false)?)
    }
    fn get_block(&self, slot: u64, shard: u32) -> Result<BlockReport, RpcError> {
        Ok(self.block(slot, shard)?)
    }
    fn get_receipts(&self, slot: u64, shard: u32) -> Result<Vec<ReceiptReport>, RpcError> {
        Ok(self.block(slot, shard)?.netting)
    }
    fn get_ee(&self, id: u32) -> Result<EeInfo, RpcError> {
        Ok(self.ee(id)?)
    }
    fn get_matrix(&self, id: u32) -> Result<Vec<Vec<i64>>, RpcError> {
        Ok(self.matrix(id)?)
    }
    fn get_validator(&self, index: u64) -> Result<ValidatorInfo, RpcError> {
        let v = self.validator(index)?;
        Ok(ValidatorInfo { index, pubkey: hex::encode(v.pubkey), balance: v.balance })
    }
    fn get_witness(&self, tx: TxRequest) -> Result<WitnessInfo, RpcError> {
        Ok(self.witness(&tx)?)
    }
    fn list_ees(&self) -> Result<Vec<EeInfo>, RpcError> {
        Ok(self.ees()?)
    }
    fn get_code(&self, id: u32) -> Result<Hex, RpcError> {
        Ok(Hex(self.code(id)?))
    }
    fn get_raw_block(&self, slot: u64, shard: u32) -> Result<Hex, RpcError> {
        Ok(Hex(self.raw_block(slot, shard)?))
    }
    fn get_network(&self) -> Result<NetworkInfo, RpcError> {
        Ok(self.network_info()?)
    }
    fn get_config(&self) -> Result<ChainConfig, RpcError> {
        Ok(self.chain_config()?)
    }
    fn deposit(&self, receipt: Hex) -> Result<DepositAccepted, RpcError> {
        Ok(Node::deposit(self, &receipt.0)?)
    }
    fn list_deposits(&self) -> Result<Vec<DepositInfo>, RpcError> {
        Ok(self.deposits()?)
    }
    fn get_proof(&self, ee: u32, shard: u32, keys: Vec<Hex>) -> Result<ProofInfo, RpcError> {
        Ok(self.proof(ee, shard, &keys)?)
    }
    fn get_netted(&self, source: u32, target: u32, ee: u32, root: Hex) -> Result<u64, RpcError> {
        Ok(self.netted(source, target, ee, &root)?)
    }
    fn get_messages(
        &self,
        source: u32,
        target: u32,
        ee: u32,
        source_ee: u32,
        root: Hex,
    ) -> Result<u64, RpcError> {
        Ok(self.messages(source, target, ee, source_ee, &root)?)
    }
    fn get_roots(&self, ee: u32) -> Result<EeRoots, RpcError> {
        Ok(self.ee_roots(ee)?)
    }
}
