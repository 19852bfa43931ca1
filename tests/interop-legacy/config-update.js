'use strict';
/*
 * A channel config update assembled and signed with Fabric's own JS code only (fabric-protos 2.2 message classes,
 * fabric-common 2.2 identities, signer and Broadcast client), as an application would do it without configtxlator:
 *
 *   ConfigUpdate { channel_id, read_set, write_set }        the versions read and the elements written
 *   ConfigUpdateEnvelope { config_update, signatures }       one ConfigSignature per admin:
 *   ConfigSignature { signature_header, signature }          signature over signature_header || config_update
 *   Envelope { Payload { Header { ChannelHeader CONFIG_UPDATE, SignatureHeader }, data }, signature }
 *
 * Nothing here comes from FnzChain.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { User } = require('fabric-common');
const protos = require('fabric-protos');

const { common, msp } = protos;
const peer = protos.protos;

/** An organisation's admin (its msp folder: signcerts and keystore) as a fabric-common identity context. */
function adminContext(client, mspFolder, mspId) {
    const read = (folder) => fs.readFileSync(path.join(mspFolder, folder, fs.readdirSync(path.join(mspFolder, folder)).find((f) => !f.startsWith('.'))), 'utf8');
    const certificate = read('signcerts');
    const user = User.createUser(`admin-${mspId}`, '', mspId, certificate, read('keystore'));
    return { context: client.newIdentityContext(user), certificate, mspId };
}

/** The channel config (common.Config) of a config block, decoded with fabric-protos' common.ConfigEnvelope. */
function configOf(rawBlock) {
    for (const bytes of rawBlock.data.data) {
        const payload = common.Payload.decode(common.Envelope.decode(bytes).payload);
        const header = common.ChannelHeader.decode(payload.header.channel_header);
        if (header.type === common.HeaderType.CONFIG) {
            const envelope = common.ConfigEnvelope.decode(payload.data);
            const lastUpdate = envelope.last_update?.payload?.length
                ? common.ChannelHeader.decode(common.Payload.decode(envelope.last_update.payload).header.channel_header).tx_id
                : undefined;
            return { config: envelope.config, lastUpdateTxId: lastUpdate };
        }
    }
    throw new Error(`block ${rawBlock.header.number} has no CONFIG envelope`);
}

const version = (element) => Number(element?.version ?? 0);

/** An application organisation's group (/Channel/Application/<org>) of a config. */
function organisationGroup(config, org) {
    const group = config.channel_group?.groups?.Application?.groups?.[org];
    if (!group) throw new Error(`the config has no group /Channel/Application/${org}`);
    return group;
}

/** An organisation's anchor peers as "host:port" strings, and the AnchorPeers value's version. */
function anchorPeersOf(config, org) {
    const value = organisationGroup(config, org).values?.AnchorPeers;
    if (!value) return { version: undefined, anchors: [] };
    return { version: version(value), modPolicy: value.mod_policy, anchors: peer.AnchorPeers.decode(value.value).anchor_peers.map((a) => `${a.host}:${a.port}`) };
}

/**
 * A ConfigUpdate that sets an existing AnchorPeers value of an organisation, as configtxlator's compute_update
 * writes it: read_set Channel > Application > Org at their versions (no values), write_set the same path with
 * only AnchorPeers, at its version + 1. pinValue also puts AnchorPeers into the read set at the version seen
 * (Fabric's orderer accepts read sets that pin more than configtxlator does).
 */
function anchorPeersUpdate(config, channelId, org, anchors, { pinValue = false } = {}) {
    const channel = config.channel_group;
    const application = channel.groups.Application;
    const organisation = organisationGroup(config, org);
    const current = organisation.values?.AnchorPeers;
    if (!current) throw new Error(`/Channel/Application/${org} has no AnchorPeers value (this update changes an existing one)`);
    const path3 = (leaf, withModPolicy) => common.ConfigGroup.create({
        version: version(channel),
        mod_policy: withModPolicy ? channel.mod_policy : '',
        groups: {
            Application: common.ConfigGroup.create({
                version: version(application),
                mod_policy: withModPolicy ? application.mod_policy : '',
                groups: { [org]: common.ConfigGroup.create({ version: version(organisation), mod_policy: withModPolicy ? organisation.mod_policy : '', values: leaf }) },
            }),
        },
    });
    const value = peer.AnchorPeers.encode(peer.AnchorPeers.create({
        anchor_peers: anchors.map((a) => {
            const [host, port] = a.split(':');
            return peer.AnchorPeer.create({ host, port: Number(port) });
        }),
    })).finish();
    const update = common.ConfigUpdate.create({
        channel_id: channelId,
        read_set: path3(pinValue ? { AnchorPeers: common.ConfigValue.create({ version: version(current) }) } : {}, false),
        write_set: path3({ AnchorPeers: common.ConfigValue.create({ version: version(current) + 1, value, mod_policy: 'Admins' }) }, true),
    });
    return Buffer.from(common.ConfigUpdate.encode(update).finish());
}

/** The s of a DER ECDSA signature (SEQUENCE { INTEGER r, INTEGER s }) is at most n/2 (P-256), as Fabric requires. */
function isLowS(der) {
    const rLength = der[3];
    const sLength = der[5 + rLength];
    const s = BigInt(`0x${der.subarray(6 + rLength, 6 + rLength + sLength).toString('hex')}`);
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    return s <= n / 2n;
}

/**
 * A CONFIG_UPDATE envelope for updateBytes signed by the admin: one ConfigSignature (fabric-common's signer: SHA-256,
 * ECDSA, low-S), the envelope's own signature by the same admin. Returns the envelope (for Committer.sendBroadcast)
 * and facts about what was signed.
 */
function signedConfigUpdateEnvelope(admin, channelId, updateBytes) {
    const context = admin.context.calculateTransactionId(); // a fresh nonce and the transaction id derived from it
    const signatureHeader = Buffer.from(common.SignatureHeader.encode(common.SignatureHeader.create({ creator: context.serializeIdentity(), nonce: context.nonce })).finish());
    const signed = Buffer.concat([signatureHeader, updateBytes]);
    const signature = Buffer.from(context.sign(signed));
    const updateEnvelope = common.ConfigUpdateEnvelope.encode(common.ConfigUpdateEnvelope.create({
        config_update: updateBytes,
        signatures: [common.ConfigSignature.create({ signature_header: signatureHeader, signature })],
    })).finish();
    const channelHeader = common.ChannelHeader.encode(common.ChannelHeader.create({
        type: common.HeaderType.CONFIG_UPDATE,
        version: 0,
        timestamp: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
        channel_id: channelId,
        tx_id: context.transactionId,
        epoch: 0,
    })).finish();
    const payload = Buffer.from(common.Payload.encode(common.Payload.create({
        header: common.Header.create({ channel_header: channelHeader, signature_header: signatureHeader }),
        data: updateEnvelope,
    })).finish());
    const creator = msp.SerializedIdentity.decode(common.SignatureHeader.decode(signatureHeader).creator);
    return {
        envelope: { payload, signature: Buffer.from(context.sign(payload)) },
        facts: {
            txId: context.transactionId,
            signer: creator.mspid,
            creatorIsCertificatePem: Buffer.from(creator.id_bytes).toString('utf8') === admin.certificate,
            signatureLowS: isLowS(signature),
            // What the orderer will check, checked here with Node's own crypto first: ECDSA-SHA256 over header || update.
            signatureVerifies: crypto.verify('sha256', signed, admin.certificate, signature),
        },
    };
}

/** The orderer's answer to one Broadcast of the envelope (fabric-common's Committer: status as a name, info). */
async function broadcast(committer, envelope) {
    const response = await committer.sendBroadcast(envelope, 30000);
    return { status: response.status, info: response.info };
}

/** What a ConfigUpdate's read and write sets hold, as "path@version" (for the facts). */
function describeUpdate(updateBytes) {
    const update = common.ConfigUpdate.decode(updateBytes);
    const walk = (group, at, out) => {
        out.push(`${at}@${version(group)}`);
        for (const [name, value] of Object.entries(group?.values ?? {})) out.push(`${at}/${name}@${version(value)}`);
        for (const [name, child] of Object.entries(group?.groups ?? {})) walk(child, `${at}/${name}`, out);
        return out;
    };
    return { channelId: update.channel_id, readSet: walk(update.read_set, '/Channel', []), writeSet: walk(update.write_set, '/Channel', []) };
}

module.exports = { adminContext, configOf, anchorPeersOf, anchorPeersUpdate, signedConfigUpdateEnvelope, broadcast, describeUpdate };
