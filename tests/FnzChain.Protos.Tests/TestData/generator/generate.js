// Builds fully populated messages with Hyperledger Fabric's own JS protobuf classes
// (@hyperledger/fabric-protos) and writes them as <name>.bin, plus a readable <name>.json dump, into
// the parent TestData folder. FnzChain's C# tests decode these bytes with our own generated classes.
//
// Everything is deterministic (fixed nonces, timestamps and keys), so re-running must give identical
// files: `node generate.js && git diff --exit-code ..` is the check that nothing drifted.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Any } = require('google-protobuf/google/protobuf/any_pb.js');
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb.js');
const { common, gateway, google, ledger, msp, orderer, peer } = require('@hyperledger/fabric-protos');

const fabricProtosVersion = require('@hyperledger/fabric-protos/package.json').version;
const outDir = path.resolve(__dirname, '..');
const kvrwset = ledger.rwset.kvrwset;
const rwset = ledger.rwset;

const utf8 = (s) => new Uint8Array(Buffer.from(s, 'utf8'));
// Deterministic pseudo-random bytes: SHA-256 chain from a label.
const bytes = (label, length) => {
  const out = Buffer.alloc(length);
  let block = Buffer.from(label, 'utf8');
  for (let offset = 0; offset < length; offset += 32) {
    block = crypto.createHash('sha256').update(block).digest();
    block.copy(out, offset, 0, Math.min(32, length - offset));
  }
  return new Uint8Array(out);
};
const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const b64 = (u8) => Buffer.from(u8).toString('base64');

function write(name, message, extra) {
  const bin = message.serializeBinary();
  fs.writeFileSync(path.join(outDir, `${name}.bin`), bin);
  const dump = {
    note: 'Written by generator/generate.js; the C# tests hard-code their expectations, this is for humans.',
    fabricProtos: fabricProtosVersion,
    sha256: Buffer.from(sha256(bin)).toString('hex'),
    value: message.toObject(),
    ...(extra ? { nested: extra } : {}),
  };
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(dump, null, 2) + '\n');
  console.log(`${name}.bin  ${bin.length} bytes`);
}

// --- Shared pieces --------------------------------------------------------------------------------

const channelId = 'mychannel';
const chaincodeName = 'basic';
const timestamp = new Timestamp();
timestamp.setSeconds(1700000000);
timestamp.setNanos(123456789);

function identity(mspId, label) {
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(utf8(`-----BEGIN CERTIFICATE-----\n${b64(bytes(label, 48))}\n-----END CERTIFICATE-----\n`));
  return id;
}

const creator = identity('Org1MSP', 'client').serializeBinary();
const nonce = bytes('nonce', 24);
const txId = Buffer.from(sha256(nonce, creator)).toString('hex');

const chaincodeId = new peer.ChaincodeID();
chaincodeId.setName(chaincodeName);

const headerExtension = new peer.ChaincodeHeaderExtension();
headerExtension.setChaincodeId(chaincodeId);

function channelHeader(type) {
  const ch = new common.ChannelHeader();
  ch.setType(type);
  ch.setVersion(1);
  ch.setTimestamp(timestamp);
  ch.setChannelId(channelId);
  ch.setTxId(txId);
  ch.setEpoch(0);
  ch.setExtension$(headerExtension.serializeBinary());
  ch.setTlsCertHash(bytes('tls-cert', 32));
  return ch;
}

const signatureHeader = new common.SignatureHeader();
signatureHeader.setCreator(creator);
signatureHeader.setNonce(nonce);

const header = new common.Header();
header.setChannelHeader(channelHeader(common.HeaderType.ENDORSER_TRANSACTION).serializeBinary());
header.setSignatureHeader(signatureHeader.serializeBinary());

function invocationSpec(args) {
  const input = new peer.ChaincodeInput();
  input.setArgsList(args.map(utf8));
  input.getDecorationsMap().set('zeta', utf8('last'));
  input.getDecorationsMap().set('alpha', utf8('first'));
  input.setIsInit(true);
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  spec.setTimeout(30);
  const cis = new peer.ChaincodeInvocationSpec();
  cis.setChaincodeSpec(spec);
  return cis;
}

const cis = invocationSpec(['CreateAsset', 'asset1', 'blue', '5']);

function proposalPayload(withTransient) {
  const p = new peer.ChaincodeProposalPayload();
  p.setInput(cis.serializeBinary());
  if (withTransient) {
    p.getTransientmapMap().set('secret', utf8('s3cr3t'));
    p.getTransientmapMap().set('price', utf8('100'));
  }
  return p;
}

// --- rwsets ---------------------------------------------------------------------------------------

function version(block, tx) {
  const v = new kvrwset.Version();
  v.setBlockNum(block);
  v.setTxNum(tx);
  return v;
}

function kvRead(key, v) {
  const r = new kvrwset.KVRead();
  r.setKey(key);
  if (v) r.setVersion(v);
  return r;
}

const kvrw = new kvrwset.KVRWSet();
kvrw.addReads(kvRead('asset1', version(5, 2)));
kvrw.addReads(kvRead('asset-missing'));
const rawRange = new kvrwset.RangeQueryInfo();
rawRange.setStartKey('asset0');
rawRange.setEndKey('asset9');
rawRange.setItrExhausted(true);
const queryReads = new kvrwset.QueryReads();
queryReads.setKvReadsList([kvRead('asset2', version(4, 0)), kvRead('asset3', version(6, 1))]);
rawRange.setRawReads(queryReads);
const merkleRange = new kvrwset.RangeQueryInfo();
merkleRange.setStartKey('b');
merkleRange.setEndKey('c');
const merkle = new kvrwset.QueryReadsMerkleSummary();
merkle.setMaxDegree(50);
merkle.setMaxLevel(2);
merkle.setMaxLevelHashesList([bytes('merkle-1', 32), bytes('merkle-2', 32)]);
merkleRange.setReadsMerkleHashes(merkle);
kvrw.setRangeQueriesInfoList([rawRange, merkleRange]);
const write1 = new kvrwset.KVWrite();
write1.setKey('asset1');
write1.setValue(utf8('{"ID":"asset1","Color":"blue","Size":5}'));
const delete1 = new kvrwset.KVWrite();
delete1.setKey('asset7');
delete1.setIsDelete(true);
kvrw.setWritesList([write1, delete1]);
const metaEntry = new kvrwset.KVMetadataEntry();
metaEntry.setName('VALIDATION_PARAMETER');
metaEntry.setValue(bytes('sbe-policy', 16));
const metaWrite = new kvrwset.KVMetadataWrite();
metaWrite.setKey('asset1');
metaWrite.setEntriesList([metaEntry]);
kvrw.setMetadataWritesList([metaWrite]);

const hashed = new kvrwset.HashedRWSet();
const readHash = new kvrwset.KVReadHash();
readHash.setKeyHash(sha256(utf8('secret-key')));
readHash.setVersion(version(3, 0));
hashed.setHashedReadsList([readHash]);
const writeHash = new kvrwset.KVWriteHash();
writeHash.setKeyHash(sha256(utf8('secret-key')));
writeHash.setValueHash(sha256(utf8('secret-value')));
const purgeHash = new kvrwset.KVWriteHash();
purgeHash.setKeyHash(sha256(utf8('erase-me')));
purgeHash.setIsDelete(true);
purgeHash.setIsPurge(true);
hashed.setHashedWritesList([writeHash, purgeHash]);
const metaWriteHash = new kvrwset.KVMetadataWriteHash();
metaWriteHash.setKeyHash(sha256(utf8('secret-key')));
metaWriteHash.setEntriesList([metaEntry]);
hashed.setMetadataWritesList([metaWriteHash]);

const collHashed = new rwset.CollectionHashedReadWriteSet();
collHashed.setCollectionName('assetPrivate');
collHashed.setHashedRwset(hashed.serializeBinary());
collHashed.setPvtRwsetHash(bytes('pvt-rwset', 32));

const nsRw = new rwset.NsReadWriteSet();
nsRw.setNamespace(chaincodeName);
nsRw.setRwset(kvrw.serializeBinary());
nsRw.setCollectionHashedRwsetList([collHashed]);

const txRw = new rwset.TxReadWriteSet();
txRw.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
txRw.setNsRwsetList([nsRw]);

// --- Proposal response ----------------------------------------------------------------------------

const event = new peer.ChaincodeEvent();
event.setChaincodeId(chaincodeName);
event.setTxId(txId);
event.setEventName('AssetCreated');
event.setPayload(utf8('{"ID":"asset1"}'));

const ccResponse = new peer.Response();
ccResponse.setStatus(200);
ccResponse.setMessage('OK');
ccResponse.setPayload(utf8('{"ID":"asset1"}'));

const resolvedId = new peer.ChaincodeID();
resolvedId.setName(chaincodeName);
resolvedId.setVersion('1.0');

const ccAction = new peer.ChaincodeAction();
ccAction.setResults(txRw.serializeBinary());
ccAction.setEvents(event.serializeBinary());
ccAction.setResponse(ccResponse);
ccAction.setChaincodeId(resolvedId);

const proposal = new peer.Proposal();
proposal.setHeader(header.serializeBinary());
proposal.setPayload(proposalPayload(true).serializeBinary());
const proposalBytes = proposal.serializeBinary();

const prp = new peer.ProposalResponsePayload();
prp.setProposalHash(sha256(proposalBytes));
prp.setExtension$(ccAction.serializeBinary());
const prpBytes = prp.serializeBinary();

function endorsement(mspId, label) {
  const e = new peer.Endorsement();
  e.setEndorser(identity(mspId, label).serializeBinary());
  e.setSignature(bytes(`sig-${label}`, 71));
  return e;
}

// --- Policies -------------------------------------------------------------------------------------

function rolePrincipal(mspId, role) {
  const r = new common.MSPRole();
  r.setMspIdentifier(mspId);
  r.setRole(role);
  const p = new common.MSPPrincipal();
  p.setPrincipalClassification(common.MSPPrincipal.Classification.ROLE);
  p.setPrincipal(r.serializeBinary());
  return p;
}

function signedBy(index) {
  const s = new common.SignaturePolicy();
  s.setSignedBy(index);
  return s;
}

// AND('Org1MSP.peer','Org2MSP.peer')
const andPolicy = new common.SignaturePolicyEnvelope();
andPolicy.setVersion(0);
const nOutOf = new common.SignaturePolicy.NOutOf();
nOutOf.setN(2);
nOutOf.setRulesList([signedBy(0), signedBy(1)]);
const rule = new common.SignaturePolicy();
rule.setNOutOf(nOutOf);
andPolicy.setRule(rule);
andPolicy.setIdentitiesList([
  rolePrincipal('Org1MSP', common.MSPRole.MSPRoleType.PEER),
  rolePrincipal('Org2MSP', common.MSPRole.MSPRoleType.PEER),
]);

// --- Messages written -----------------------------------------------------------------------------

const signedProposal = new peer.SignedProposal();
signedProposal.setProposalBytes(proposalBytes);
signedProposal.setSignature(bytes('client-signature', 70));
write('signed_proposal', signedProposal, {
  proposal: proposal.toObject(),
  proposalPayload: proposalPayload(true).toObject(),
  invocationSpec: cis.toObject(),
});

const interestCall = new peer.ChaincodeCall();
interestCall.setName(chaincodeName);
interestCall.setCollectionNamesList(['assetPrivate']);
interestCall.setNoPrivateReads(true);
interestCall.setNoPublicWrites(false);
interestCall.setKeyPoliciesList([andPolicy]);
interestCall.setDisregardNamespacePolicy(true);
const interest = new peer.ChaincodeInterest();
interest.setChaincodesList([interestCall]);

const proposalResponse = new peer.ProposalResponse();
proposalResponse.setVersion(1);
proposalResponse.setTimestamp(timestamp);
proposalResponse.setResponse(ccResponse);
proposalResponse.setPayload(prpBytes);
proposalResponse.setEndorsement(endorsement('Org1MSP', 'peer0.org1'));
proposalResponse.setInterest(interest);
write('proposal_response', proposalResponse, {
  proposalResponsePayload: prp.toObject(),
  chaincodeAction: ccAction.toObject(),
  txReadWriteSet: txRw.toObject(),
  kvRwSet: kvrw.toObject(),
  hashedRwSet: hashed.toObject(),
  chaincodeEvent: event.toObject(),
});

const endorsedAction = new peer.ChaincodeEndorsedAction();
endorsedAction.setProposalResponsePayload(prpBytes);
endorsedAction.setEndorsementsList([endorsement('Org1MSP', 'peer0.org1'), endorsement('Org2MSP', 'peer0.org2')]);
const cap = new peer.ChaincodeActionPayload();
cap.setChaincodeProposalPayload(proposalPayload(false).serializeBinary());
cap.setAction(endorsedAction);
const txAction = new peer.TransactionAction();
txAction.setHeader(signatureHeader.serializeBinary());
txAction.setPayload(cap.serializeBinary());
const transaction = new peer.Transaction();
transaction.setActionsList([txAction]);
write('transaction', transaction, { chaincodeActionPayload: cap.toObject() });

const payload = new common.Payload();
payload.setHeader(header);
payload.setData(transaction.serializeBinary());
const envelope = new common.Envelope();
envelope.setPayload(payload.serializeBinary());
envelope.setSignature(bytes('envelope-signature', 71));
write('envelope', envelope, {
  payload: payload.toObject(),
  channelHeader: channelHeader(common.HeaderType.ENDORSER_TRANSACTION).toObject(),
  signatureHeader: signatureHeader.toObject(),
});

// Block 7 with two transactions: the first valid, the second an MVCC conflict.
const ordererMeta = new common.OrdererBlockMetadata();
const lastConfig = new common.LastConfig();
lastConfig.setIndex(3);
ordererMeta.setLastConfig(lastConfig);
ordererMeta.setConsenterMetadata(utf8('kafka-offset:42'));
const sig1 = new common.MetadataSignature();
sig1.setSignatureHeader(signatureHeader.serializeBinary());
sig1.setSignature(bytes('orderer-sig-1', 70));
const identifierHeader = new common.IdentifierHeader();
identifierHeader.setIdentifier(2);
identifierHeader.setNonce(bytes('identifier-nonce', 24));
const sig2 = new common.MetadataSignature();
sig2.setSignature(bytes('orderer-sig-2', 70));
sig2.setIdentifierHeader(identifierHeader.serializeBinary());
const sigMeta = new common.Metadata();
sigMeta.setValue(ordererMeta.serializeBinary());
sigMeta.setSignaturesList([sig1, sig2]);

const blockData = new common.BlockData();
blockData.setDataList([envelope.serializeBinary(), envelope.serializeBinary()]);
const blockHeader = new common.BlockHeader();
blockHeader.setNumber(7);
blockHeader.setPreviousHash(bytes('block-6', 32));
blockHeader.setDataHash(sha256(...blockData.getDataList_asU8()));
const blockMetadata = new common.BlockMetadata();
blockMetadata.setMetadataList([
  sigMeta.serializeBinary(),                              // SIGNATURES
  new Uint8Array(0),                                      // LAST_CONFIG (deprecated, empty)
  new Uint8Array([peer.TxValidationCode.VALID, peer.TxValidationCode.MVCC_READ_CONFLICT]), // TRANSACTIONS_FILTER
  new Uint8Array(0),                                      // ORDERER (deprecated, empty)
  bytes('commit-hash', 32),                               // COMMIT_HASH
]);
const block = new common.Block();
block.setHeader(blockHeader);
block.setData(blockData);
block.setMetadata(blockMetadata);
write('block', block, { signaturesMetadata: sigMeta.toObject(), ordererBlockMetadata: ordererMeta.toObject() });

// Gateway
const endorseRequest = new gateway.EndorseRequest();
endorseRequest.setTransactionId(txId);
endorseRequest.setChannelId(channelId);
endorseRequest.setProposedTransaction(signedProposal);
endorseRequest.setEndorsingOrganizationsList(['Org1MSP', 'Org2MSP']);
write('gateway_endorse_request', endorseRequest);

const submitRequest = new gateway.SubmitRequest();
submitRequest.setTransactionId(txId);
submitRequest.setChannelId(channelId);
submitRequest.setPreparedTransaction(envelope);
write('gateway_submit_request', submitRequest);

const commitStatusResponse = new gateway.CommitStatusResponse();
commitStatusResponse.setResult(peer.TxValidationCode.MVCC_READ_CONFLICT);
commitStatusResponse.setBlockNumber(7);
write('gateway_commit_status_response', commitStatusResponse);

const event2 = new peer.ChaincodeEvent();
event2.setChaincodeId(chaincodeName);
event2.setTxId('second-tx');
event2.setEventName('AssetDeleted');
const eventsResponse = new gateway.ChaincodeEventsResponse();
eventsResponse.setEventsList([event, event2]);
eventsResponse.setBlockNumber(7);
write('gateway_chaincode_events_response', eventsResponse);

// The rich error a gateway returns in the grpc-status-details-bin trailer.
const errorDetail = new gateway.ErrorDetail();
errorDetail.setAddress('peer0.org2.example.com:7051');
errorDetail.setMspId('Org2MSP');
errorDetail.setMessage('chaincode response 500, asset1 already exists');
const detailAny = new Any();
detailAny.pack(errorDetail.serializeBinary(), 'gateway.ErrorDetail');
const rpcStatus = new google.rpc.Status();
rpcStatus.setCode(10); // ABORTED
rpcStatus.setMessage('failed to endorse transaction, see attached details for more info');
rpcStatus.setDetailsList([detailAny]);
write('rpc_status_with_error_detail', rpcStatus, { errorDetail: errorDetail.toObject() });

// Orderer: blocks 5 .. 2^53-1, failing if not ready, headers only.
const start = new orderer.SeekPosition();
const specified = new orderer.SeekSpecified();
specified.setNumber(5);
start.setSpecified(specified);
const stop = new orderer.SeekPosition();
const specifiedStop = new orderer.SeekSpecified();
specifiedStop.setNumber(Number.MAX_SAFE_INTEGER);
stop.setSpecified(specifiedStop);
const seekInfo = new orderer.SeekInfo();
seekInfo.setStart(start);
seekInfo.setStop(stop);
seekInfo.setBehavior(orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY);
seekInfo.setErrorResponse(orderer.SeekInfo.SeekErrorResponse.BEST_EFFORT);
seekInfo.setContentType(orderer.SeekInfo.SeekContentType.HEADER_WITH_SIG);
write('seek_info', seekInfo);

// Peer filtered delivery: one endorser tx with an MVCC conflict and an event, one config tx.
const filteredAction = new peer.FilteredChaincodeAction();
const strippedEvent = new peer.ChaincodeEvent();
strippedEvent.setChaincodeId(chaincodeName);
strippedEvent.setTxId(txId);
strippedEvent.setEventName('AssetCreated');
filteredAction.setChaincodeEvent(strippedEvent);
const filteredActions = new peer.FilteredTransactionActions();
filteredActions.setChaincodeActionsList([filteredAction]);
const ftx1 = new peer.FilteredTransaction();
ftx1.setTxid(txId);
ftx1.setType(common.HeaderType.ENDORSER_TRANSACTION);
ftx1.setTxValidationCode(peer.TxValidationCode.MVCC_READ_CONFLICT);
ftx1.setTransactionActions(filteredActions);
const ftx2 = new peer.FilteredTransaction();
ftx2.setTxid('config-tx');
ftx2.setType(common.HeaderType.CONFIG);
ftx2.setTxValidationCode(peer.TxValidationCode.VALID);
const filteredBlock = new peer.FilteredBlock();
filteredBlock.setChannelId(channelId);
filteredBlock.setNumber(7);
filteredBlock.setFilteredTransactionsList([ftx1, ftx2]);
const deliverFiltered = new peer.DeliverResponse();
deliverFiltered.setFilteredBlock(filteredBlock);
write('deliver_response_filtered_block', deliverFiltered);

// Peer delivery with private data: the block above plus private write sets for tx 0 and tx 1.
function pvtSet(value) {
  const pvtKv = new kvrwset.KVRWSet();
  const w = new kvrwset.KVWrite();
  w.setKey('secret-key');
  w.setValue(utf8(value));
  pvtKv.setWritesList([w]);
  const coll = new rwset.CollectionPvtReadWriteSet();
  coll.setCollectionName('assetPrivate');
  coll.setRwset(pvtKv.serializeBinary());
  const ns = new rwset.NsPvtReadWriteSet();
  ns.setNamespace(chaincodeName);
  ns.setCollectionPvtRwsetList([coll]);
  const tx = new rwset.TxPvtReadWriteSet();
  tx.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
  tx.setNsPvtRwsetList([ns]);
  return tx;
}
const blockAndPvt = new peer.BlockAndPrivateData();
blockAndPvt.setBlock(block);
blockAndPvt.getPrivateDataMapMap().set(1, pvtSet('value-for-tx-1'));
blockAndPvt.getPrivateDataMapMap().set(0, pvtSet('value-for-tx-0'));
const deliverPvt = new peer.DeliverResponse();
deliverPvt.setBlockAndPrivateData(blockAndPvt);
write('deliver_response_block_and_private_data', deliverPvt);

write('signature_policy_envelope_and_org1_org2_peer', andPolicy);

// A private data collection definition as it appears in chaincode definitions.
const memberPolicy = new peer.CollectionPolicyConfig();
memberPolicy.setSignaturePolicy(andPolicy);
const collEndorsement = new peer.ApplicationPolicy();
collEndorsement.setChannelConfigPolicyReference('/Channel/Application/Org1MSP/Endorsement');
const staticColl = new peer.StaticCollectionConfig();
staticColl.setName('assetPrivate');
staticColl.setMemberOrgsPolicy(memberPolicy);
staticColl.setRequiredPeerCount(1);
staticColl.setMaximumPeerCount(3);
staticColl.setBlockToLive(1000000);
staticColl.setMemberOnlyRead(true);
staticColl.setMemberOnlyWrite(true);
staticColl.setEndorsementPolicy(collEndorsement);
const collConfig = new peer.CollectionConfig();
collConfig.setStaticCollectionConfig(staticColl);
const collPackage = new peer.CollectionConfigPackage();
collPackage.setConfigList([collConfig]);
write('collection_config_package', collPackage);
