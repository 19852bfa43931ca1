#!/usr/bin/env node
'use strict';
/*
 * Drives a FnzChain network with Hyperledger Fabric's legacy Node SDK, unmodified: fabric-network 2.2's
 * Gateway/Network/Contract over fabric-common's Endorser, Committer (Broadcast) and EventService (Deliver) clients.
 * The legacy SDK talks to the peers' and orderer's services directly (no Gateway service), without service discovery.
 *
 *   node interop-legacy.js <connection.json> <fnzchain command...>     e.g. ... dotnet /path/to/fnzchain.dll
 *
 * connection.json is what `fnzchain network up --dir <dir>` writes; the fnzchain command is used to change the
 * channel configuration (`fnzchain channel update set-policy|sign|submit`), which commits config blocks, while listeners run. Last, a channel config
 * update built and signed with Fabric's JS code alone (config-update.js) is broadcast. Every check prints one
 * JSON line {"check": name, "ok": true|false, ...facts} on stdout; the exit code is the number of failed checks.
 * The connection profile is secured as the network is (connection.json's "security"): grpcs:// URLs with each node's
 * TLS CA certificate as tlsCACerts, or grpc:// URLs for a network started with --insecure.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');

const sdkLog = require('./sdk-log');
sdkLog.install(); // before fabric-network loads: its modules take their logger at load time
const { Gateway, Wallets, DefaultEventHandlerStrategies } = require('fabric-network');
const { BlockDecoder } = require('fabric-common');
const protos = require('fabric-protos');
const deliverStreams = require('./deliver-streams');
const configUpdate = require('./config-update');

const RUN_TIMEOUT_MS = 150000; // the whole script; the NUnit fixture allows a little more
const COMMIT_TIMEOUT_MS = 30000;
const LISTENER_DEADLINE_MS = 20000; // for listeners to catch up with the ledger after the last commit
const HEADER_TYPE_CONFIG = protos.common.HeaderType.CONFIG;

const utf8 = (bytes) => Buffer.from(bytes).toString('utf8');
const json = (bytes) => JSON.parse(utf8(bytes));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A failed check that still reports what it found. */
class CheckFailed extends Error {
    constructor(message, facts) {
        super(message);
        this.name = 'CheckFailed';
        this.facts = facts;
    }
}

const results = [];
function print(line) {
    // Synchronous: the lines must all reach a pipe even when the process is ended right after.
    fs.writeSync(1, `${JSON.stringify(line, (_, v) => (typeof v === 'bigint' || (v && v.constructor?.name === 'Long') ? v.toString() : v))}\n`);
}

/**
 * What went wrong at endorsement, for a failed submit: fabric-network still orders a transaction when only some
 * endorsers answered, so a later commit error (e.g. ENDORSEMENT_POLICY_FAILURE) is explained by the others' errors.
 */
function endorsementProblems(error) {
    const problems = [
        ...(error?.errors ?? []).map((e) => `${e?.connection?.name ?? '?'}: ${e?.message}`),
        ...(error?.responses ?? []).filter((r) => r?.response?.status !== 200).map((r) => `${r?.connection?.name ?? '?'}: ${r?.response?.status} ${r?.response?.message}`),
    ];
    return problems.length > 0 ? ` (endorsement: ${problems.join('; ')})` : '';
}

async function check(name, body) {
    let line;
    try {
        line = { check: name, ok: true, ...(await body()) };
    } catch (error) {
        line = { check: name, ok: false, error: `${error?.name}: ${error?.message}${endorsementProblems(error)}`, ...(error?.facts ?? {}) };
    }
    results.push(line);
    print(line);
    return line;
}

/** A node of the connection profile: grpcs:// with its TLS CA certificate, or grpc:// on an --insecure network. */
function endpoint(connection, address, tlsRootCert) {
    return (connection.security ?? 'insecure') === 'insecure'
        ? { url: `grpc://${address}` }
        : { url: `grpcs://${address}`, tlsCACerts: { pem: fs.readFileSync(tlsRootCert, 'utf8') } };
}

/** The Fabric connection profile for connection.json: every peer joins the channel as endorser and event source. */
function connectionProfile(connection, org) {
    const peerName = (o) => `peer0.${o.domain}`;
    return {
        name: 'fnzchain-local',
        version: '1.0.0',
        client: { organization: org.name },
        organizations: Object.fromEntries(connection.organizations.map((o) => [o.name, { mspid: o.mspId, peers: [peerName(o)] }])),
        peers: Object.fromEntries(connection.organizations.map((o) => [peerName(o), endpoint(connection, o.peer, o.tlsRootCert)])),
        orderers: { orderer: { ...endpoint(connection, connection.orderer, connection.orderers[0].tlsRootCert), mspid: 'OrdererMSP' } },
        channels: {
            [connection.channel]: {
                orderers: ['orderer'],
                peers: Object.fromEntries(connection.organizations.map((o) => [peerName(o), { endorsingPeer: true, chaincodeQuery: true, ledgerQuery: true, eventSource: true }])),
            },
        },
    };
}

async function userIdentity(mspFolder, mspId) {
    const read = (folder) => fs.readFileSync(path.join(mspFolder, folder, fs.readdirSync(path.join(mspFolder, folder)).find((f) => !f.startsWith('.'))), 'utf8');
    const wallet = await Wallets.newInMemoryWallet();
    await wallet.put('user', { credentials: { certificate: read('signcerts'), privateKey: read('keystore') }, mspId, type: 'X.509' });
    return wallet;
}

function withDeadline(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Submits through fabric-network's Transaction (endorse on every channel peer, order, wait for the own
 * organisation's commit events) while a commit listener on every peer records when each peer committed it.
 */
async function submitWatched(network, contract, name, args, transient) {
    const transaction = contract.createTransaction(name);
    if (transient) transaction.setTransient(transient);
    const txId = transaction.getTransactionId();
    const peers = network.getChannel().getEndorsers();
    const commits = {};
    let allCommitted;
    const everyPeer = new Promise((resolve) => {
        allCommitted = resolve;
    });
    const listener = (error, event) => {
        if (error) {
            commits[error.peer?.name ?? '?'] = { error: error.message };
        } else {
            commits[event.peer.name] = { mspId: event.peer.mspid, status: event.status, blockNumber: String(event.getBlockEvent().blockNumber), beforeReturn: !returned };
        }
        if (Object.keys(commits).length === peers.length) allCommitted();
    };
    let returned = false;
    await network.addCommitListener(listener, peers, txId);
    try {
        const result = await transaction.submit(...args);
        returned = true;
        await withDeadline(everyPeer, COMMIT_TIMEOUT_MS, `commit events of ${name} ${txId}`);
        return { result, txId, commits };
    } finally {
        network.removeCommitListener(listener);
    }
}

/** The one block number all peers reported for a commit. */
function committedBlock(submitted) {
    const numbers = [...new Set(Object.values(submitted.commits).map((c) => c.blockNumber))];
    if (numbers.length !== 1) throw new Error(`peers disagree on the block of ${submitted.txId}: ${JSON.stringify(submitted.commits)}`);
    return numbers[0];
}

/**
 * Blocks start..end (end: a number or 'newest') straight from a peer's Deliver service, as the wire gives them:
 * fabric-common builds and signs the seek envelope and opens the stream, nothing decodes the block data. The
 * config checks decode these themselves, so they do not depend on the SDK's listeners getting past a block.
 */
async function deliverRaw(gateway, network, peer, startBlock, endBlock) {
    const channel = network.getChannel();
    const seek = channel.newEventService(`raw-${peer.name}`);
    seek.build(gateway.identityContext, { blockType: 'full', startBlock, endBlock });
    seek.sign(gateway.identityContext);
    const eventer = channel.client.newEventer(`raw-${peer.name}`);
    await eventer.connect(peer.endpoint);
    eventer.setStreamByType('full');
    deliverStreams.countRaw();
    const blocks = [];
    try {
        await withDeadline(new Promise((resolve, reject) => {
            eventer.stream.on('data', (response) => {
                if (response.Type === 'block') {
                    blocks.push(response.block);
                } else if (response.Type === 'status' && (response.status === 200 || response.status === 'SUCCESS')) {
                    resolve();
                } else {
                    reject(new Error(`Deliver answered ${response.Type} ${response.status}`));
                }
            });
            eventer.stream.on('error', reject);
            eventer.stream.write(seek.getSignedEnvelope());
        }), COMMIT_TIMEOUT_MS, `Deliver of blocks ${startBlock}..${endBlock} from ${peer.name}`);
    } finally {
        eventer.disconnect();
    }
    return blocks;
}

/** Block `number` from a peer once the peer has committed it (a Deliver of one block is NOT_FOUND until then). */
async function committedBlockOn(gateway, network, peer, number) {
    const deadline = Date.now() + COMMIT_TIMEOUT_MS;
    for (;;) {
        try {
            const [rawBlock] = await deliverRaw(gateway, network, peer, number, number);
            if (rawBlock) return rawBlock;
        } catch (error) {
            if (Date.now() > deadline) throw error;
        }
        await sleep(200);
    }
}

/** A raw block's envelopes as Fabric's Envelope/Payload/ChannelHeader (the parts every FnzChain block shares with Fabric). */
function envelopesOf(rawBlock) {
    return rawBlock.data.data.map((bytes) => {
        const payload = protos.common.Payload.decode(protos.common.Envelope.decode(bytes).payload);
        const header = protos.common.ChannelHeader.decode(payload.header.channel_header);
        return { bytes, type: header.type, txId: header.tx_id, data: payload.data };
    });
}

const isConfigBlock = (rawBlock) => envelopesOf(rawBlock).some((e) => e.type === HEADER_TYPE_CONFIG);

/** The top of a decoded channel config: what a Fabric config block must carry (groups Application and Orderer). */
function configTree(channelGroup) {
    return { groups: Object.keys(channelGroup?.groups ?? {}).sort(), values: Object.keys(channelGroup?.values ?? {}).sort() };
}

/** fabric-common's BlockDecoder, the decoder the SDK's event service runs on every full block. */
function decodeWithBlockDecoder(rawBlock) {
    const block = BlockDecoder.decodeBlock(rawBlock);
    const config = block.data.data.map((e) => e.payload).find((p) => p.header.channel_header.type === HEADER_TYPE_CONFIG || p.header.channel_header.type === 'CONFIG');
    return configTree(config?.data?.config?.channel_group);
}

/** fabric-protos' common.ConfigEnvelope on the CONFIG envelope's payload data. */
function decodeWithConfigEnvelope(rawBlock) {
    const config = envelopesOf(rawBlock).find((e) => e.type === HEADER_TYPE_CONFIG);
    return configTree(protos.common.ConfigEnvelope.decode(config.data).config?.channel_group);
}

/** One entry per config block: the decoded tree's top level, or the decoder's error. */
function decodeConfigBlocks(rawBlocks, decode) {
    return rawBlocks.filter(isConfigBlock).map((rawBlock) => {
        const block = String(rawBlock.header.number);
        try {
            return { block, decoded: true, ...decode(rawBlock) };
        } catch (error) {
            return { block, decoded: false, error: error.message };
        }
    });
}

const isFabricConfig = (entry) => entry.decoded && ['Application', 'Orderer'].every((g) => entry.groups.includes(g));

function runFnzchain(command, args) {
    return new Promise((resolve, reject) => {
        execFile(command[0], [...command.slice(1), ...args], { timeout: 60000 }, (error, stdout, stderr) => {
            if (error) reject(new Error(`fnzchain ${args.slice(0, 2).join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
            else resolve(stdout.trim());
        });
    });
}

async function main() {
    const [connectionFile, ...fnzchain] = process.argv.slice(2);
    if (!connectionFile || fnzchain.length === 0) throw new Error('usage: node interop-legacy.js <connection.json> <fnzchain command...>');
    const connection = JSON.parse(fs.readFileSync(connectionFile, 'utf8'));
    const org = connection.organizations[0];
    const gateway = new Gateway();
    await gateway.connect(connectionProfile(connection, org), {
        wallet: await userIdentity(org.userMsp, org.mspId),
        identity: 'user',
        // Our peers have no discovery service: the profile names every peer and the orderer.
        discovery: { enabled: false },
        // submit() returns when every peer of the channel committed the transaction, not only the own organisation's
        // (the default): the next transaction is endorsed by both peers and under AND both must have read the same state.
        eventHandlerOptions: { endorseTimeout: 30, commitTimeout: 60, strategy: DefaultEventHandlerStrategies.NETWORK_SCOPE_ALLFORTX },
        queryHandlerOptions: { timeout: 10 },
    });
    try {
        const network = await gateway.getNetwork(connection.channel);
        await run(gateway, network, network.getContract(connection.chaincode), connection, fnzchain);
    } finally {
        gateway.disconnect();
    }
}

async function run(gateway, network, contract, connection, fnzchain) {
    const fund = `LEG-${crypto.randomBytes(6).toString('hex')}`;
    const ownPeer = network.getChannel().getEndorsers(gateway.getIdentity().mspId)[0];
    const emitted = []; // { txId, eventName, blockNumber } of every event-emitting transaction of this run

    await check('submitTransaction', async () => {
        const created = json(await contract.submitTransaction('CreateFund', fund, 'Legacy Equity', '100.5', 'EUR'));
        return { fundId: created.id, nav: created.nav, expectedFundId: fund };
    });

    await check('evaluateTransaction', async () => {
        const read = json(await contract.evaluateTransaction('ReadFund', fund));
        return { fundId: read.id, name: read.name, nav: read.nav, currency: read.currency };
    });

    await check('evaluateError', async () => {
        try {
            await contract.evaluateTransaction('ReadFund', `${fund}-missing`);
        } catch (error) {
            return { message: error.message };
        }
        throw new Error('ReadFund of a missing fund returned a result');
    });

    await check('commitWaiting', async () => {
        // submit() returns once every peer committed the transaction (NETWORK_SCOPE_ALLFORTX).
        const submitted = await submitWatched(network, contract, 'PublishNav', [fund, '101.75']);
        const read = json(await contract.evaluateTransaction('ReadFund', fund));
        const block = committedBlock(submitted);
        emitted.push({ txId: submitted.txId, eventName: 'NavPublished', blockNumber: block });
        return {
            resultNav: json(submitted.result).nav,
            readNav: read.nav,
            txIdLength: submitted.txId.length,
            blockNumber: block,
            commits: Object.values(submitted.commits),
        };
    });

    await check('transient', async () => {
        const terms = Buffer.from(`confidential terms of ${fund}: 0.35% fee`);
        const submitted = await submitWatched(network, contract, 'RecordTerms', [fund], { terms });
        const block = committedBlock(submitted);
        const [rawBlock] = await deliverRaw(gateway, network, ownPeer, Number(block), Number(block));
        return {
            hashMatches: json(submitted.result).termsSha256 === crypto.createHash('sha256').update(terms).digest('hex'),
            statuses: Object.values(submitted.commits).map((c) => c.status),
            txInBlock: envelopesOf(rawBlock).some((e) => e.txId === submitted.txId),
            termsInBlock: rawBlock.data.data.some((bytes) => Buffer.from(bytes).includes(terms)),
        };
    });

    // Listeners from block 0, started before any of the following work.
    const blocksSeen = [];
    const blockListener = async (event) => {
        blocksSeen.push(String(event.blockNumber));
    };
    const eventsSeen = [];
    const contractListener = async (event) => {
        const tx = event.getTransactionEvent();
        eventsSeen.push({ txId: tx.transactionId, eventName: event.eventName, blockNumber: String(tx.getBlockEvent().blockNumber) });
    };
    deliverStreams.markListener(blockListener, 'blockListener');
    await network.addBlockListener(blockListener, { type: 'full', startBlock: 0 });
    await contract.addContractListener(contractListener, { startBlock: 0 });

    const configUpdates = await check('configUpdates', async () => {
        // Two channel config updates made with fnzchain (Org1's Readers policy, changed by Org1's own admin: its
        // mod_policy), each committing a config block, with event-emitting transactions before, between and after.
        const org = connection.organizations[0];
        const admin = ['--identity', org.adminMsp, '--msp-id', org.mspId];
        const rules = [`OR('${org.mspId}.member')`, `OR('${org.mspId}.admin','${org.mspId}.peer','${org.mspId}.client')`]; // away from the default and back
        let updates = 0;
        const define = async () => {
            const file = path.join(require('node:os').tmpdir(), `interop-legacy-${process.pid}-${updates}.update`);
            const rule = rules[updates++ % rules.length];
            await runFnzchain(fnzchain, ['channel', 'update', 'set-policy', '--channel', connection.channel, '--orderer', connection.orderer, ...admin,
                '--path', `/Channel/Application/${org.name}/Readers`, '--rule', rule, '--out', file]);
            await runFnzchain(fnzchain, ['channel', 'update', 'sign', file, ...admin]);
            const output = await runFnzchain(fnzchain, ['channel', 'update', 'submit', file, '--orderer', connection.orderer, ...admin]);
            fs.rmSync(file, { force: true });
            const block = /config block (\d+)/.exec(output)?.[1];
            if (!block) throw new Error(`fnzchain channel update submit printed no config block: ${output}`);
            // submit returns when the orderer cut the block; wait for every peer to commit it before endorsing again
            // (as the peer CLI's --waitForEvent does). A Deliver of a block the peer has not committed yet is
            // NOT_FOUND (FAIL_IF_NOT_READY), so ask again until it is there.
            await Promise.all(network.getChannel().getEndorsers().map((peer) => committedBlockOn(gateway, network, peer, Number(block))));
            return block;
        };
        const transact = async (name, args, eventName) => {
            const submitted = await submitWatched(network, contract, name, args);
            emitted.push({ txId: submitted.txId, eventName, blockNumber: committedBlock(submitted) });
        };
        await transact('CreateFund', [`${fund}-B`, 'Legacy Bonds', '10', 'GBP'], 'FundCreated');
        const first = await define();
        await transact('PublishNav', [`${fund}-B`, '11'], 'NavPublished');
        const second = await define();
        await transact('PublishNav', [`${fund}-B`, '12'], 'NavPublished');
        const read = json(await contract.evaluateTransaction('ReadFund', `${fund}-B`));
        return { configBlocks: [first, second], navAfter: read.nav };
    });

    // The ledger as the own peer has it now, from block 0: what the listeners must have seen.
    const rawBlocks = await deliverRaw(gateway, network, ownPeer, 0, 'newest');
    const height = rawBlocks.length;
    const configBlockNumbers = rawBlocks.filter(isConfigBlock).map((b) => String(b.header.number));
    const decoderErrorAt = (number) => {
        const raw = rawBlocks[Number(number)];
        if (!raw) return undefined;
        try {
            BlockDecoder.decodeBlock(raw);
            return undefined;
        } catch (error) {
            return error.message;
        }
    };
    const expectedBlocks = rawBlocks.map((b) => String(b.header.number));
    const eventMissing = () => emitted.filter((e) => !eventsSeen.some((s) => s.txId === e.txId && s.eventName === e.eventName));
    const deadline = Date.now() + LISTENER_DEADLINE_MS;
    while (Date.now() < deadline && (blocksSeen.length < height || eventMissing().length > 0)) {
        await sleep(200);
    }
    network.removeBlockListener(blockListener);
    contract.removeContractListener(contractListener);

    await check('blockListener', async () => {
        // Exactly 0, 1, 2, ... height-1 (later blocks may follow): no gap, no repeat, nothing out of order.
        const firstWrong = expectedBlocks.findIndex((n, i) => blocksSeen[i] !== n);
        const firstMissing = firstWrong < 0 ? undefined : expectedBlocks[firstWrong];
        const facts = {
            height,
            configBlocks: configBlockNumbers,
            received: blocksSeen,
            firstMissingBlock: firstMissing,
            receivedInItsPlace: firstWrong < 0 ? undefined : blocksSeen[firstWrong],
            firstMissingIsConfig: firstMissing !== undefined && configBlockNumbers.includes(firstMissing),
            firstMissingDecoderError: firstMissing !== undefined ? decoderErrorAt(firstMissing) : undefined,
        };
        const consecutive = blocksSeen.every((n, i) => n === String(i));
        if (firstMissing !== undefined || !consecutive) {
            throw new CheckFailed(
                `the full-block listener from block 0 received ${blocksSeen.length} of ${height} blocks [${blocksSeen.join(',')}] within ${LISTENER_DEADLINE_MS} ms; `
                + `first missing block ${firstMissing}${facts.firstMissingIsConfig ? ' (a config block)' : ''}, fabric-common BlockDecoder on it: ${facts.firstMissingDecoderError ?? 'decodes'}`,
                facts);
        }
        return facts;
    });

    await check('contractListener', async () => {
        // Every event of this run's transactions, each once, in block order.
        const missing = eventMissing();
        const received = eventsSeen.filter((s) => emitted.some((e) => e.txId === s.txId));
        const blockOf = (e) => Number(e.blockNumber);
        const facts = {
            expected: emitted,
            received,
            missing,
            repeated: received.length - new Set(received.map((e) => `${e.txId}/${e.eventName}`)).size,
            inBlockOrder: eventsSeen.every((e, i) => i === 0 || blockOf(eventsSeen[i - 1]) <= blockOf(e)),
            configBlocks: configBlockNumbers,
        };
        if (missing.length > 0) {
            // Where the listener's stream stalls: the first block up to the missing event that the SDK cannot decode.
            const stall = expectedBlocks.find((n) => Number(n) <= blockOf(missing[0]) && decoderErrorAt(n));
            facts.stalledAtBlock = stall;
            facts.stalledAtDecoderError = stall !== undefined ? decoderErrorAt(stall) : undefined;
            throw new CheckFailed(
                `the contract listener from block 0 is missing ${missing.length} of ${emitted.length} events within ${LISTENER_DEADLINE_MS} ms (first: ${missing[0].eventName} in block ${missing[0].blockNumber}); `
                + (stall !== undefined ? `block ${stall}${configBlockNumbers.includes(stall) ? ' (a config block)' : ''} does not decode with fabric-common BlockDecoder: ${facts.stalledAtDecoderError}` : 'every block up to it decodes'),
                facts);
        }
        if (facts.repeated > 0 || !facts.inBlockOrder) {
            throw new CheckFailed(`the contract listener delivered ${facts.repeated} events twice, in block order: ${facts.inBlockOrder}`, facts);
        }
        return facts;
    });

    for (const [name, decode] of [['configBlocksBlockDecoder', decodeWithBlockDecoder], ['configBlocksConfigEnvelope', decodeWithConfigEnvelope]]) {
        await check(name, async () => {
            const blocks = decodeConfigBlocks(rawBlocks, decode);
            const facts = { blocks, definedInThisRun: configUpdates.configBlocks ?? [] };
            const bad = blocks.filter((b) => !isFabricConfig(b));
            if (blocks.length === 0 || bad.length > 0) {
                throw new CheckFailed(bad.map((b) => `config block ${b.block}: ${b.decoded ? `groups [${b.groups.join(',')}] lack Application or Orderer` : b.error}`).join('; ') || 'no config blocks', facts);
            }
            return facts;
        });
    }

    await check('deliverReconnects', async () => deliverStreams.report(sdkLog.errors()));

    // Last, so that the listener checks above count the ledger without this config block.
    await configUpdateChecks(gateway, network, connection, ownPeer);
}

/**
 * A channel config update made with Fabric's JS code alone (config-update.js): the second organisation's admin adds
 * an anchor peer to its organisation; then updates the orderer must refuse: signed by the other organisation's admin,
 * and computed from the config the accepted update replaced.
 */
async function configUpdateChecks(gateway, network, connection, ownPeer) {
    const channel = network.getChannel();
    const committer = channel.getCommitters()[0];
    const [other, target] = connection.organizations;
    const targetAdmin = configUpdate.adminContext(channel.client, target.adminMsp, target.mspId);
    const otherAdmin = configUpdate.adminContext(channel.client, other.adminMsp, other.mspId);
    const newAnchor = '127.0.0.1:1';
    const ledger = await deliverRaw(gateway, network, ownPeer, 0, 'newest');
    const latestConfigBlock = ledger.filter(isConfigBlock).at(-1);
    const before = configUpdate.configOf(latestConfigBlock);
    const anchorsBefore = configUpdate.anchorPeersOf(before.config, target.name);
    const expectedBlock = ledger.length; // nothing else is being ordered now
    let accepted;
    let after;

    const submit = async (admin, update) => {
        const signed = configUpdate.signedConfigUpdateEnvelope(admin, connection.channel, update);
        const answer = await configUpdate.broadcast(committer, signed.envelope);
        return { ...configUpdate.describeUpdate(update), ...signed.facts, ...answer };
    };
    const refused = async (admin, update, expectedStatus) => {
        const facts = await submit(admin, update);
        const [newest] = await deliverRaw(gateway, network, ownPeer, 'newest', 'newest');
        facts.newestBlockAfter = String(newest.header.number);
        facts.acceptedBlock = String(expectedBlock);
        if (facts.status !== expectedStatus) throw new CheckFailed(`expected ${expectedStatus}, the orderer answered ${facts.status}: ${facts.info}`, facts);
        return facts;
    };

    await check('jsConfigUpdate', async () => {
        const update = configUpdate.anchorPeersUpdate(before.config, connection.channel, target.name, [...anchorsBefore.anchors, newAnchor]);
        const facts = {
            org: target.name,
            fromConfigBlock: String(latestConfigBlock.header.number),
            sequenceBefore: String(before.config.sequence),
            anchorPeersBefore: anchorsBefore,
            ...(await submit(targetAdmin, update)),
        };
        if (facts.status !== 'SUCCESS') throw new CheckFailed(`the orderer answered ${facts.status}: ${facts.info}`, facts);
        accepted = facts;
        return facts;
    });

    await check('jsConfigUpdateBlock', async () => {
        if (!accepted) throw new Error('the update was not accepted; no block to look for');
        const peers = await Promise.all(channel.getEndorsers().map(async (peer) => {
            const rawBlock = await committedBlockOn(gateway, network, peer, expectedBlock);
            if (!isConfigBlock(rawBlock)) return { peer: peer.name, isConfig: false };
            const { config, lastUpdateTxId } = configUpdate.configOf(rawBlock);
            after ??= config;
            return { peer: peer.name, isConfig: true, sequence: String(config.sequence), lastUpdateTxId, anchorPeers: configUpdate.anchorPeersOf(config, target.name) };
        }));
        const facts = { block: String(expectedBlock), txId: accepted.txId, newAnchor, peers };
        const wrong = peers.filter((p) => !p.isConfig || !p.anchorPeers.anchors.includes(newAnchor) || p.lastUpdateTxId !== accepted.txId);
        if (wrong.length > 0) throw new CheckFailed(`block ${expectedBlock} on ${wrong.map((p) => p.peer).join(', ')} is not the config block of ${accepted.txId} with anchor ${newAnchor}`, facts);
        return facts;
    });

    await check('jsConfigUpdateOtherOrgAdmin', async () => {
        if (!after) throw new Error('no config after the accepted update to compute from');
        const anchors = [...configUpdate.anchorPeersOf(after, target.name).anchors, '127.0.0.1:2'];
        return { org: target.name, ...(await refused(otherAdmin, configUpdate.anchorPeersUpdate(after, connection.channel, target.name, anchors), 'FORBIDDEN')) };
    });

    // A client still holding the config the accepted update replaced, computing the same kind of update from it.
    await check('jsConfigUpdateFromOldConfig', async () => {
        const update = configUpdate.anchorPeersUpdate(before.config, connection.channel, target.name, [...anchorsBefore.anchors, '127.0.0.1:3']);
        return { org: target.name, ...(await refused(targetAdmin, update, 'BAD_REQUEST')) };
    });

    await check('jsConfigUpdateStaleReadSet', async () => {
        const update = configUpdate.anchorPeersUpdate(before.config, connection.channel, target.name, [...anchorsBefore.anchors, '127.0.0.1:3'], { pinValue: true });
        return { org: target.name, ...(await refused(targetAdmin, update, 'BAD_REQUEST')) };
    });
}

const watchdog = setTimeout(() => {
    print({ check: 'setup', ok: false, error: `interop-legacy.js did not finish within ${RUN_TIMEOUT_MS} ms` });
    process.exit(101);
}, RUN_TIMEOUT_MS);

main()
    .then(() => {
        process.exitCode = results.filter((r) => !r.ok).length;
    })
    .catch((error) => {
        print({ check: 'setup', ok: false, error: `${error?.name}: ${error?.message}` });
        process.exitCode = 100;
    })
    .finally(() => {
        clearTimeout(watchdog);
        // The SDK may keep a reconnecting stream or a timer alive after disconnect: do not wait for it.
        setTimeout(() => process.exit(), 2000).unref();
    });
