import { Provider, SecretKey, GWEI_PER_ETH as ETH } from '../index.js';

const provider = await Provider.connect(process.env.EE_RPC ?? 'http://127.0.0.1:8645');
const vhee = provider.vhee(0);                          // the genesis VHEE
const alice = SecretKey.devKey(0);                      // genesis validator 0's key
const bob = SecretKey.fromSeed('bob');

// Validator 0 deposits 32 ETH into Alice's account on shard 0; the VHEE claims it.
const { index } = await vhee.deposit({ key: alice, validator: 0, shard: 0, amount: 32n * ETH });
await provider.waitForTransaction((await vhee.claimDeposit({ shard: 0, index })).hash);

// Alice pays Bob 10 ETH: signed here, proofs from the state provider, checked, sent.
const sent = await vhee.transfer({ key: alice, to: bob.address(0), amount: 10n * ETH, shard: 0 });
const done = await provider.waitForTransaction(sent.hash);
console.log(`transfer ${done.result.ok ? 'ok' : done.result.error}, fee ${done.result.fee} Gwei`);
console.log(`bob: ${(await vhee.account(0, bob.address(0))).balance} Gwei`);
