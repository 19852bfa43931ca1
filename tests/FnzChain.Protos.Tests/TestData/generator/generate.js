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

// --- Channel configuration ------------------------------------------------------------------------
// A config tree shaped as Fabric's configtxgen writes it for a solo/Kafka network: Channel with its
// values and implicit-meta policies, Orderer (with one orderer org), Application (with two orgs).

const pem = (kind, label) =>
  utf8(`-----BEGIN ${kind}-----\n${b64(bytes(label, 48))}\n-----END ${kind}-----\n`);

function configValue(message, modPolicy) {
  const v = new common.ConfigValue();
  v.setValue(message.serializeBinary());
  v.setModPolicy(modPolicy);
  return v;
}

function configPolicy(type, value, modPolicy) {
  const p = new common.Policy();
  p.setType(type);
  p.setValue(value.serializeBinary());
  const cp = new common.ConfigPolicy();
  cp.setPolicy(p);
  cp.setModPolicy(modPolicy);
  return cp;
}

function implicitMeta(rule, subPolicy) {
  const m = new common.ImplicitMetaPolicy();
  m.setSubPolicy(subPolicy);
  m.setRule(rule);
  return configPolicy(common.Policy.PolicyType.IMPLICIT_META, m, 'Admins');
}

// OR over role principals of one MSP, e.g. OR('Org1MSP.admin','Org1MSP.client').
function signedByAnyOf(mspId, roles) {
  const envelope = new common.SignaturePolicyEnvelope();
  const anyOf = new common.SignaturePolicy.NOutOf();
  anyOf.setN(1);
  anyOf.setRulesList(roles.map((_, i) => signedBy(i)));
  const r = new common.SignaturePolicy();
  r.setNOutOf(anyOf);
  envelope.setRule(r);
  envelope.setIdentitiesList(roles.map((role) => rolePrincipal(mspId, role)));
  return configPolicy(common.Policy.PolicyType.SIGNATURE, envelope, 'Admins');
}

function capabilities(name) {
  const c = new common.Capabilities();
  c.getCapabilitiesMap().set(name, new common.Capability());
  return c;
}

function ouIdentifier(caLabel, ou) {
  const id = new msp.FabricOUIdentifier();
  id.setCertificate(pem('CERTIFICATE', caLabel));
  id.setOrganizationalUnitIdentifier(ou);
  return id;
}

function fabricMspConfig(mspId) {
  const ca = `${mspId}-ca`;
  const cfg = new msp.FabricMSPConfig();
  cfg.setName(mspId);
  cfg.setRootCertsList([pem('CERTIFICATE', ca)]);
  cfg.setIntermediateCertsList([pem('CERTIFICATE', `${mspId}-ica`)]);
  cfg.setAdminsList([pem('CERTIFICATE', `${mspId}-admin`)]);
  cfg.setRevocationListList([pem('X509 CRL', `${mspId}-crl`)]);
  cfg.setOrganizationalUnitIdentifiersList([ouIdentifier(ca, 'COP')]);
  const crypto = new msp.FabricCryptoConfig();
  crypto.setSignatureHashFamily('SHA2');
  crypto.setIdentityIdentifierHashFunction('SHA256');
  cfg.setCryptoConfig(crypto);
  cfg.setTlsRootCertsList([pem('CERTIFICATE', `${mspId}-tlsca`)]);
  cfg.setTlsIntermediateCertsList([pem('CERTIFICATE', `${mspId}-tlsica`)]);
  const nodeOus = new msp.FabricNodeOUs();
  nodeOus.setEnable(true);
  nodeOus.setClientOuIdentifier(ouIdentifier(ca, 'client'));
  nodeOus.setPeerOuIdentifier(ouIdentifier(ca, 'peer'));
  nodeOus.setAdminOuIdentifier(ouIdentifier(ca, 'admin'));
  nodeOus.setOrdererOuIdentifier(ouIdentifier(ca, 'orderer'));
  cfg.setFabricNodeOus(nodeOus);
  return cfg;
}

function mspValue(mspId) {
  const m = new msp.MSPConfig();
  m.setType(0); // FABRIC (X.509)
  m.setConfig(fabricMspConfig(mspId).serializeBinary());
  return configValue(m, 'Admins');
}

const Role = common.MSPRole.MSPRoleType;

function orgGroup(mspId, extraValues, extraPolicies) {
  const g = new common.ConfigGroup();
  g.getValuesMap().set('MSP', mspValue(mspId));
  for (const [k, v] of extraValues) g.getValuesMap().set(k, v);
  g.getPoliciesMap().set('Readers', signedByAnyOf(mspId, [Role.ADMIN, Role.PEER, Role.CLIENT]));
  g.getPoliciesMap().set('Writers', signedByAnyOf(mspId, [Role.ADMIN, Role.CLIENT]));
  g.getPoliciesMap().set('Admins', signedByAnyOf(mspId, [Role.ADMIN]));
  for (const [k, v] of extraPolicies) g.getPoliciesMap().set(k, v);
  g.setModPolicy('Admins');
  return g;
}

function anchorPeers(host, port) {
  const a = new peer.AnchorPeer();
  a.setHost(host);
  a.setPort(port);
  const list = new peer.AnchorPeers();
  list.setAnchorPeersList([a]);
  return list;
}

function appOrg(mspId, host) {
  return orgGroup(mspId, [['AnchorPeers', configValue(anchorPeers(host, 7051), 'Admins')]],
    [['Endorsement', signedByAnyOf(mspId, [Role.PEER])]]);
}

const ordererEndpoints = new common.OrdererAddresses();
ordererEndpoints.setAddressesList(['orderer.example.com:7050']);

const ordererGroup = new common.ConfigGroup();
{
  const consensus = new orderer.ConsensusType();
  consensus.setType('solo');
  consensus.setState(orderer.ConsensusType.State.STATE_NORMAL);
  const batchSize = new orderer.BatchSize();
  batchSize.setMaxMessageCount(10);
  batchSize.setAbsoluteMaxBytes(103809024);
  batchSize.setPreferredMaxBytes(524288);
  const batchTimeout = new orderer.BatchTimeout();
  batchTimeout.setTimeout('2s');
  const kafka = new orderer.KafkaBrokers();
  kafka.setBrokersList(['kafka0.example.com:9092', 'kafka1.example.com:9092']);
  const restrictions = new orderer.ChannelRestrictions();
  restrictions.setMaxCount(1000);
  const values = ordererGroup.getValuesMap();
  values.set('ConsensusType', configValue(consensus, 'Admins'));
  values.set('BatchSize', configValue(batchSize, 'Admins'));
  values.set('BatchTimeout', configValue(batchTimeout, 'Admins'));
  values.set('KafkaBrokers', configValue(kafka, 'Admins'));
  values.set('ChannelRestrictions', configValue(restrictions, 'Admins'));
  values.set('Capabilities', configValue(capabilities('V2_0'), 'Admins'));
  const policies = ordererGroup.getPoliciesMap();
  policies.set('Readers', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Readers'));
  policies.set('Writers', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Writers'));
  policies.set('Admins', implicitMeta(common.ImplicitMetaPolicy.Rule.MAJORITY, 'Admins'));
  policies.set('BlockValidation', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Writers'));
  ordererGroup.getGroupsMap().set('OrdererOrg',
    orgGroup('OrdererMSP', [['Endpoints', configValue(ordererEndpoints, 'Admins')]], []));
  ordererGroup.setModPolicy('Admins');
}

const applicationGroup = new common.ConfigGroup();
{
  const acls = new peer.ACLs();
  const acl = (resource, policyRef) => {
    const r = new peer.APIResource();
    r.setPolicyRef(policyRef);
    acls.getAclsMap().set(resource, r);
  };
  acl('_lifecycle/CommitChaincodeDefinition', '/Channel/Application/Writers');
  acl('peer/Propose', '/Channel/Application/Writers');
  acl('event/Block', '/Channel/Application/Readers');
  acl('qscc/GetChainInfo', '/Channel/Application/Readers');
  const values = applicationGroup.getValuesMap();
  values.set('Capabilities', configValue(capabilities('V2_5'), 'Admins'));
  values.set('ACLs', configValue(acls, 'Admins'));
  const policies = applicationGroup.getPoliciesMap();
  policies.set('Readers', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Readers'));
  policies.set('Writers', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Writers'));
  policies.set('Admins', implicitMeta(common.ImplicitMetaPolicy.Rule.MAJORITY, 'Admins'));
  policies.set('Endorsement', implicitMeta(common.ImplicitMetaPolicy.Rule.MAJORITY, 'Endorsement'));
  policies.set('LifecycleEndorsement', implicitMeta(common.ImplicitMetaPolicy.Rule.MAJORITY, 'Endorsement'));
  applicationGroup.getGroupsMap().set('Org1MSP', appOrg('Org1MSP', 'peer0.org1.example.com'));
  applicationGroup.getGroupsMap().set('Org2MSP', appOrg('Org2MSP', 'peer0.org2.example.com'));
  applicationGroup.setVersion(1);
  applicationGroup.setModPolicy('Admins');
}

const channelGroup = new common.ConfigGroup();
{
  const hashing = new common.HashingAlgorithm();
  hashing.setName('SHA256');
  const dataHashing = new common.BlockDataHashingStructure();
  dataHashing.setWidth(4294967295);
  const values = channelGroup.getValuesMap();
  values.set('HashingAlgorithm', configValue(hashing, 'Admins'));
  values.set('BlockDataHashingStructure', configValue(dataHashing, 'Admins'));
  values.set('OrdererAddresses', configValue(ordererEndpoints, '/Channel/Orderer/Admins'));
  values.set('Capabilities', configValue(capabilities('V2_0'), 'Admins'));
  const policies = channelGroup.getPoliciesMap();
  policies.set('Readers', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Readers'));
  policies.set('Writers', implicitMeta(common.ImplicitMetaPolicy.Rule.ANY, 'Writers'));
  policies.set('Admins', implicitMeta(common.ImplicitMetaPolicy.Rule.MAJORITY, 'Admins'));
  channelGroup.getGroupsMap().set('Orderer', ordererGroup);
  channelGroup.getGroupsMap().set('Application', applicationGroup);
  channelGroup.setModPolicy('Admins');
}

// The update that led to it: Org1MSP moves its anchor peer. The read set names the versions seen; the
// write set bumps Org1MSP and its AnchorPeers value, so only Org1MSP's Admins policy has to be satisfied.
function sparseGroup(version, groups) {
  const g = new common.ConfigGroup();
  g.setVersion(version);
  for (const [k, v] of groups) g.getGroupsMap().set(k, v);
  return g;
}
const readOrg1 = sparseGroup(0, []);
readOrg1.getValuesMap().set('MSP', new common.ConfigValue());
readOrg1.getPoliciesMap().set('Admins', new common.ConfigPolicy());
const writeOrg1 = sparseGroup(1, []);
writeOrg1.getValuesMap().set('MSP', new common.ConfigValue());
const newAnchor = configValue(anchorPeers('peer1.org1.example.com', 8051), 'Admins');
newAnchor.setVersion(1);
writeOrg1.getValuesMap().set('AnchorPeers', newAnchor);
writeOrg1.getPoliciesMap().set('Admins', new common.ConfigPolicy());
writeOrg1.setModPolicy('Admins');

const configUpdate = new common.ConfigUpdate();
configUpdate.setChannelId(channelId);
configUpdate.setReadSet(sparseGroup(0, [['Application', sparseGroup(1, [['Org1MSP', readOrg1]])]]));
configUpdate.setWriteSet(sparseGroup(0, [['Application', sparseGroup(1, [['Org1MSP', writeOrg1]])]]));
configUpdate.getIsolatedDataMap().set('rscc_seed_data', bytes('rscc-seed', 16));
configUpdate.getIsolatedDataMap().set('note', utf8('move Org1 anchor peer'));
const configUpdateBytes = configUpdate.serializeBinary();

function configSignature(mspId, label) {
  const header = new common.SignatureHeader();
  header.setCreator(identity(mspId, label).serializeBinary());
  header.setNonce(bytes(`${label}-nonce`, 24));
  const s = new common.ConfigSignature();
  s.setSignatureHeader(header.serializeBinary());
  s.setSignature(bytes(`${label}-config-signature`, 71));
  return s;
}
const configUpdateEnvelope = new common.ConfigUpdateEnvelope();
configUpdateEnvelope.setConfigUpdate(configUpdateBytes);
configUpdateEnvelope.setSignaturesList([configSignature('Org1MSP', 'org1-admin'), configSignature('Org2MSP', 'org2-admin')]);
write('config_update_envelope', configUpdateEnvelope, { configUpdate: configUpdate.toObject() });

function configTxEnvelope(type, txLabel, data) {
  const ch = new common.ChannelHeader();
  ch.setType(type);
  ch.setTimestamp(timestamp);
  ch.setChannelId(channelId);
  ch.setTxId(Buffer.from(sha256(utf8(txLabel))).toString('hex'));
  const h = new common.Header();
  h.setChannelHeader(ch.serializeBinary());
  h.setSignatureHeader(signatureHeader.serializeBinary());
  const p = new common.Payload();
  p.setHeader(h);
  p.setData(data);
  const e = new common.Envelope();
  e.setPayload(p.serializeBinary());
  e.setSignature(bytes(`${txLabel}-signature`, 71));
  return e;
}

// The config in force after that update: Org1MSP at version 1 with the new anchor peer.
const org1AfterUpdate = applicationGroup.getGroupsMap().get('Org1MSP');
org1AfterUpdate.setVersion(1);
org1AfterUpdate.getValuesMap().set('AnchorPeers', newAnchor);

const config = new common.Config();
config.setSequence(3);
config.setChannelGroup(channelGroup);
const configEnvelope = new common.ConfigEnvelope();
configEnvelope.setConfig(config);
configEnvelope.setLastUpdate(configTxEnvelope(common.HeaderType.CONFIG_UPDATE, 'config-update', configUpdateEnvelope.serializeBinary()));
write('config_envelope', configEnvelope, {
  org1Msp: msp.FabricMSPConfig.deserializeBinary(fabricMspConfig('Org1MSP').serializeBinary()).toObject(),
});

// Config block 3: one CONFIG envelope; its orderer metadata points at itself as the last config.
const configBlockData = new common.BlockData();
configBlockData.setDataList([configTxEnvelope(common.HeaderType.CONFIG, 'config', configEnvelope.serializeBinary()).serializeBinary()]);
const configBlockHeader = new common.BlockHeader();
configBlockHeader.setNumber(3);
configBlockHeader.setPreviousHash(bytes('block-2', 32));
configBlockHeader.setDataHash(sha256(...configBlockData.getDataList_asU8()));
const configOrdererMeta = new common.OrdererBlockMetadata();
const selfConfig = new common.LastConfig();
selfConfig.setIndex(3);
configOrdererMeta.setLastConfig(selfConfig);
const configSigMeta = new common.Metadata();
configSigMeta.setValue(configOrdererMeta.serializeBinary());
configSigMeta.setSignaturesList([sig1]);
const configBlockMetadata = new common.BlockMetadata();
configBlockMetadata.setMetadataList([
  configSigMeta.serializeBinary(),
  new Uint8Array(0),
  new Uint8Array([peer.TxValidationCode.VALID]),
  new Uint8Array(0),
  new Uint8Array(0),
]);
const configBlock = new common.Block();
configBlock.setHeader(configBlockHeader);
configBlock.setData(configBlockData);
configBlock.setMetadata(configBlockMetadata);
write('config_block', configBlock, { signaturesMetadata: configSigMeta.toObject() });
