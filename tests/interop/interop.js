#!/usr/bin/env node
'use strict';
/*
 * Drives a FnzChain network with Hyperledger Fabric's own Gateway client, unmodified: @hyperledger/fabric-gateway
 * over @grpc/grpc-js, the library's own private-key signer and SHA-256 hash.
 *
 *   node interop.js <connection.json> [organisation name, default TransferAgent]
 *
 * connection.json is what `fnzchain network up --dir <dir>` writes (channel, chaincode, each organisation's peer
 * address, MSP id and User1 msp folder from `fnzchain crypto generate`). Every check prints one JSON line
 * {"check": name, "ok": true|false, ...facts} on stdout, so a test can assert on each; the exit code is the number
 * of failed checks. The connection is secured as the network is (connection.json's "security"): TLS with
 * grpc.credentials.createSsl(the peer's TLS CA certificate) — and, for a network started with --mutual-tls, the user's
 * TLS client key and certificate (tls/client.key, tls/client.crt next to its msp folder) with their SHA-256 as the
 * gateway's tlsClientCertificateHash, which block events send in the Deliver request (Fabric's binding) — or, for
 * an --insecure network, plaintext.
 */
const grpc = require('@grpc/grpc-js');
const { connect, signers, hash, checkpointers, EndorseError, CommitError, GatewayError, StatusCode } = require('@hyperledger/fabric-gateway');
const { common } = require('@hyperledger/fabric-protos');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const utf8 = new TextDecoder();
const json = (bytes) => JSON.parse(utf8.decode(bytes));
const STREAM_TIMEOUT_MS = 30000;

function loadIdentity(mspFolder, mspId) {
    const certFile = fs.readdirSync(path.join(mspFolder, 'signcerts')).find((f) => f.endsWith('.pem'));
    const keyFile = fs.readdirSync(path.join(mspFolder, 'keystore'))[0];
    const credentials = fs.readFileSync(path.join(mspFolder, 'signcerts', certFile));
    const privateKey = crypto.createPrivateKey(fs.readFileSync(path.join(mspFolder, 'keystore', keyFile)));
    return { identity: { mspId, credentials }, signer: signers.newPrivateKeySigner(privateKey) };
}

/** The next item of an event stream, or an error when none arrives in time (the stream stays open). */
async function next(iterator, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ${what} within ${STREAM_TIMEOUT_MS} ms`)), STREAM_TIMEOUT_MS);
    });
    try {
        const result = await Promise.race([iterator.next(), timeout]);
        if (result.done) throw new Error(`the ${what} stream ended`);
        return result.value;
    } finally {
        clearTimeout(timer);
    }
}

/** The tx ids of a common.Block's envelopes. */
function txIdsOf(block) {
    return block.getData().getDataList_asU8().map((bytes) => {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
        return common.ChannelHeader.deserializeBinary(payload.getHeader().getChannelHeader_asU8()).getTxId();
    });
}

/** The name of a transaction validation code (the library's StatusCode is a plain protobuf enum object). */
const codeName = (code) => Object.keys(StatusCode).find((name) => StatusCode[name] === code);

const results = [];
async function check(name, body) {
    try {
        const facts = await body();
        results.push({ check: name, ok: true, ...facts });
    } catch (error) {
        results.push({ check: name, ok: false, error: `${error?.name}: ${error?.message}`, details: error?.details });
    }
    console.log(JSON.stringify(results[results.length - 1], (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

async function main() {
    const [connectionFile, orgName = 'TransferAgent'] = process.argv.slice(2);
    if (!connectionFile) throw new Error('usage: node interop.js <connection.json> [organisation]');
    const connection = JSON.parse(fs.readFileSync(connectionFile, 'utf8'));
    const org = connection.organizations.find((o) => o.name === orgName);
    if (!org) throw new Error(`${connectionFile} has no organisation ${orgName}`);

    const security = connection.security ?? 'insecure';
    const tls = tlsOf(connection, org);
    const client = new grpc.Client(org.peer, tls.credentials);
    const { identity, signer } = loadIdentity(org.userMsp, org.mspId);
    const connectAs = (withSigner) => connect({
        client,
        identity,
        signer: withSigner,
        hash: hash.sha256,
        ...(tls.certificateHash ? { tlsClientCertificateHash: tls.certificateHash } : {}),
        evaluateOptions: () => ({ deadline: Date.now() + 10000 }),
        endorseOptions: () => ({ deadline: Date.now() + 30000 }),
        submitOptions: () => ({ deadline: Date.now() + 10000 }),
        commitStatusOptions: () => ({ deadline: Date.now() + 60000 }),
    });
    const gateway = connectAs(signer);
    try {
        await check('connection', async () => ({ security, credentials: tls.kind }));
        await run(gateway.getNetwork(connection.channel), connection.chaincode, signer, connectAs);
        if (security !== 'insecure') await refusals(connection, org, identity, signer, security);
    } finally {
        gateway.close();
        client.close();
    }
}

/** The gRPC credentials for the network's security: createSsl with the peer's TLS CA (and the user's client key/cert under mutual TLS), or insecure. */
function tlsOf(connection, org) {
    const security = connection.security ?? 'insecure';
    if (security === 'insecure') return { kind: 'insecure', credentials: grpc.credentials.createInsecure() };
    const rootCert = fs.readFileSync(org.tlsRootCert);
    if (security !== 'mutual-tls') return { kind: 'ssl', credentials: grpc.credentials.createSsl(rootCert) };
    const tlsFolder = path.join(path.dirname(org.userMsp), 'tls');
    const clientCert = fs.readFileSync(path.join(tlsFolder, 'client.crt'));
    const certificateHash = crypto.createHash('sha256').update(new crypto.X509Certificate(clientCert).raw).digest();
    return {
        kind: 'ssl+client-certificate',
        credentials: grpc.credentials.createSsl(rootCert, fs.readFileSync(path.join(tlsFolder, 'client.key')), clientCert),
        certificateHash,
    };
}

/** An evaluate through a client with other credentials: its gRPC status code and message, or null when it worked. */
async function evaluateWith(credentials, org, identity, signer, connection) {
    const client = new grpc.Client(org.peer, credentials);
    const gateway = connect({ client, identity, signer, hash: hash.sha256, evaluateOptions: () => ({ deadline: Date.now() + 10000 }) });
    try {
        await gateway.getNetwork(connection.channel).getContract(connection.chaincode).evaluateTransaction('ReadFund', 'none');
        return null;
    } catch (error) {
        return { code: error?.code, message: error?.message };
    } finally {
        gateway.close();
        client.close();
    }
}

/** What a TLS peer does with a plaintext client, and (mutual TLS) with a TLS client that has no certificate. */
async function refusals(connection, org, identity, signer, security) {
    await check('plaintextRefused', async () => {
        const refused = await evaluateWith(grpc.credentials.createInsecure(), org, identity, signer, connection);
        if (!refused) throw new Error('a plaintext client was served by a TLS peer');
        return { grpcCode: refused.code, message: refused.message };
    });
    if (security !== 'mutual-tls') return;
    await check('noClientCertificateRefused', async () => {
        const refused = await evaluateWith(grpc.credentials.createSsl(fs.readFileSync(org.tlsRootCert)), org, identity, signer, connection);
        if (!refused) throw new Error('a client without a TLS certificate was served under mutual TLS');
        return { grpcCode: refused.code, message: refused.message };
    });
}

async function run(network, chaincodeName, signer, connectAs) {
    const contract = network.getContract(chaincodeName);
    const fund = `IOP-${crypto.randomBytes(6).toString('hex')}`;
    let created; // { txId, blockNumber } of CreateFund
    let published; // { txId, blockNumber } of PublishNav

    await check('submitTransaction', async () => {
        const proposal = contract.newProposal('CreateFund', { arguments: [fund, 'Interop Equity', '100.5', 'EUR'] });
        const transaction = await proposal.endorse();
        const commit = await transaction.submit();
        const status = await commit.getStatus();
        const result = json(transaction.getResult());
        created = { txId: transaction.getTransactionId(), blockNumber: status.blockNumber };
        // And the plain one-call form, whose result is the chaincode's return value.
        const other = json(await contract.submitTransaction('CreateFund', `${fund}-B`, 'Interop Bonds', '10', 'GBP'));
        return { fundId: result.id, nav: result.nav, otherFundId: other.id, expectedFundId: fund };
    });

    await check('evaluateTransaction', async () => {
        const read = json(await contract.evaluateTransaction('ReadFund', fund));
        return { fundId: read.id, name: read.name, nav: read.nav, currency: read.currency };
    });

    await check('evaluateError', async () => {
        try {
            await contract.evaluateTransaction('ReadFund', `${fund}-missing`);
        } catch (error) {
            if (!(error instanceof GatewayError)) throw error;
            return {
                errorType: error.name,
                grpcCode: error.code,
                message: error.message,
                details: error.details.map((d) => ({ address: d.address, mspId: d.mspId, message: d.message })),
            };
        }
        throw new Error('ReadFund of a missing fund returned a result');
    });

    await check('submitAsync', async () => {
        const commit = await contract.submitAsync('PublishNav', { arguments: [fund, '101.75'] });
        const result = json(commit.getResult()); // available before the commit
        const status = await commit.getStatus();
        published = { txId: commit.getTransactionId(), blockNumber: status.blockNumber };
        const read = json(await contract.evaluateTransaction('ReadFund', fund));
        return {
            resultNav: result.nav,
            readNav: read.nav,
            blockNumber: status.blockNumber,
            code: status.code,
            codeName: codeName(status.code),
            successful: status.successful,
            statusTxIdMatches: status.transactionId === commit.getTransactionId(),
        };
    });

    await check('transient', async () => {
        const terms = Buffer.from(`confidential terms of ${fund}: 0.35% fee`);
        const commit = await contract.submitAsync('RecordTerms', { arguments: [fund], transientData: { terms } });
        const record = json(commit.getResult());
        const status = await commit.getStatus();
        // Transient data goes to the endorsers only: the ordered transaction must not contain it.
        const blocks = await network.getBlockEvents({ startBlock: status.blockNumber });
        let inBlock;
        try {
            const block = await next(blocks[Symbol.asyncIterator](), 'block');
            inBlock = Buffer.from(block.serializeBinary()).includes(terms);
        } finally {
            blocks.close();
        }
        return {
            hashMatches: record.termsSha256 === crypto.createHash('sha256').update(terms).digest('hex'),
            codeName: codeName(status.code),
            termsInBlock: inBlock,
        };
    });

    await check('blockAndPrivateData', async () => {
        // Private data of a collection this organisation is a member of comes with the block from its own peer.
        const investor = `IOP-INV-${crypto.randomBytes(6).toString('hex')}`;
        const personal = Buffer.from(`{"name":"Interop Investor ${investor}"}`);
        const commit = await contract.submitAsync('RegisterInvestor', { arguments: [investor], transientData: { personal } });
        const status = await commit.getStatus();
        const events = await network.getBlockAndPrivateDataEvents({ startBlock: status.blockNumber });
        try {
            const item = await next(events[Symbol.asyncIterator](), 'block and private data');
            const block = item.getBlock();
            const txIndex = txIdsOf(block).indexOf(commit.getTransactionId());
            const collections = [];
            item.getPrivateDataMapMap().forEach((pvt, key) => {
                if (Number(key) !== txIndex) return;
                for (const ns of pvt.getNsPvtRwsetList()) {
                    for (const c of ns.getCollectionPvtRwsetList()) {
                        collections.push({ name: `${ns.getNamespace()}/${c.getCollectionName()}`, holds: Buffer.from(c.getRwset_asU8()).includes(personal) });
                    }
                }
            });
            return {
                codeName: codeName(status.code),
                blockNumber: String(block.getHeader().getNumber()),
                expectedBlockNumber: status.blockNumber,
                collections: collections.map((c) => c.name),
                personalDataDelivered: collections.some((c) => c.holds),
                personalDataInBlock: Buffer.from(block.serializeBinary()).includes(personal),
            };
        } finally {
            events.close();
        }
    });

    await check('chaincodeEvents', async () => {
        const checkpointer = checkpointers.inMemory();
        const first = await network.getChaincodeEvents(chaincodeName, { startBlock: created.blockNumber });
        let event;
        try {
            const iterator = first[Symbol.asyncIterator]();
            do {
                event = await next(iterator, 'chaincode event');
            } while (event.transactionId !== created.txId);
            await checkpointer.checkpointChaincodeEvent(event);
        } finally {
            first.close();
        }
        // Resume from the checkpoint (its block and the last transaction processed): the next event follows it.
        const resumed = await network.getChaincodeEvents(chaincodeName, { checkpoint: checkpointer });
        let after;
        try {
            const iterator = resumed[Symbol.asyncIterator]();
            after = await next(iterator, 'chaincode event');
            while (after.transactionId !== published.txId && after.eventName !== 'NavPublished') {
                after = await next(iterator, 'chaincode event');
            }
        } finally {
            resumed.close();
        }
        return {
            firstEvent: event.eventName,
            firstBlock: event.blockNumber,
            firstPayloadFund: json(event.payload).id,
            checkpointBlock: checkpointer.getBlockNumber(),
            checkpointTxId: checkpointer.getTransactionId() === created.txId,
            resumedEvent: after.eventName,
            resumedTxIdMatches: after.transactionId === published.txId,
            resumedBlock: after.blockNumber,
            expectedResumedBlock: published.blockNumber,
        };
    });

    await check('chaincodeEventsFromNextCommit', async () => {
        // No start block: events from the next block committed after the request, so this fund's creation is first.
        const events = await network.getChaincodeEvents(chaincodeName);
        try {
            const iterator = events[Symbol.asyncIterator]();
            const pending = next(iterator, 'chaincode event');
            const commit = await contract.submitAsync('CreateFund', { arguments: [`${fund}-C`, 'Interop Cash', '1', 'USD'] });
            const status = await commit.getStatus();
            const event = await pending;
            return {
                eventName: event.eventName,
                txIdMatches: event.transactionId === commit.getTransactionId(),
                blockNumber: event.blockNumber,
                expectedBlockNumber: status.blockNumber,
            };
        } finally {
            events.close();
        }
    });

    await check('blockEvents', async () => {
        const blocks = await network.getBlockEvents({ startBlock: created.blockNumber });
        try {
            const iterator = blocks[Symbol.asyncIterator]();
            const block = await next(iterator, 'block');
            const following = await next(iterator, 'block');
            return {
                blockNumber: String(block.getHeader().getNumber()),
                expectedBlockNumber: created.blockNumber,
                containsTx: txIdsOf(block).includes(created.txId),
                nextBlockNumber: String(following.getHeader().getNumber()),
            };
        } finally {
            blocks.close();
        }
    });

    await check('filteredBlockEvents', async () => {
        const blocks = await network.getFilteredBlockEvents({ startBlock: published.blockNumber });
        try {
            const block = await next(blocks[Symbol.asyncIterator](), 'filtered block');
            const tx = block.getFilteredTransactionsList().find((t) => t.getTxid() === published.txId);
            const actions = tx?.getTransactionActions()?.getChaincodeActionsList() ?? [];
            return {
                channel: block.getChannelId(),
                blockNumber: String(block.getNumber()),
                expectedBlockNumber: published.blockNumber,
                txFound: tx !== undefined,
                codeName: codeName(tx?.getTxValidationCode()),
                eventName: actions[0]?.getChaincodeEvent()?.getEventName(),
                eventPayloadEmpty: (actions[0]?.getChaincodeEvent()?.getPayload_asU8()?.length ?? 0) === 0,
            };
        } finally {
            blocks.close();
        }
    });

    await check('endorseError', async () => {
        try {
            await contract.submitTransaction('PublishNav', `${fund}-missing`, '1');
        } catch (error) {
            if (!(error instanceof EndorseError)) throw error;
            return {
                errorType: error.name,
                grpcCode: error.code,
                transactionIdSet: typeof error.transactionId === 'string' && error.transactionId.length === 64,
                message: error.message,
                details: error.details.map((d) => ({ address: d.address, mspId: d.mspId, message: d.message })),
            };
        }
        throw new Error('PublishNav of a missing fund was endorsed');
    });

    await check('mvccConflict', async () => {
        // Two updates of one fund endorsed on the same state: whichever commits second read a stale version. To
        // make that independent of timing, the conflicting submitTransaction runs through a gateway whose signer
        // (the library's own, wrapped) commits the other update before it signs the endorsed transaction.
        let signatures = 0;
        let other;
        const gated = connectAs(async (digest) => {
            if (++signatures === 2) {
                const commit = await contract.submitAsync('PublishNav', { arguments: [fund, '102'] });
                other = await commit.getStatus();
            }
            return signer(digest);
        });
        try {
            await gated.getNetwork(network.getName()).getContract(chaincodeName).submitTransaction('PublishNav', fund, '103');
        } catch (error) {
            if (!(error instanceof CommitError)) throw error;
            return {
                errorType: error.name,
                otherCodeName: codeName(other?.code),
                code: error.code,
                codeName: codeName(error.code),
                transactionIdSet: typeof error.transactionId === 'string' && error.transactionId.length === 64,
                message: error.message,
            };
        } finally {
            gated.close();
        }
        throw new Error('the second, conflicting update committed as valid');
    });
}

main()
    .then(() => {
        process.exitCode = results.filter((r) => !r.ok).length;
    })
    .catch((error) => {
        console.log(JSON.stringify({ check: 'setup', ok: false, error: `${error?.name}: ${error?.message}` }));
        process.exitCode = 100;
    });
