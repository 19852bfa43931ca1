'use strict';
/*
 * Counts the legacy SDK's Deliver streams by wrapping (not changing) its event classes:
 *  - fabric-common EventService.send opens one Deliver stream (full, filtered or private blocks);
 *  - fabric-network's BlockEventSource feeds one block or contract listener and starts a new event service each
 *    time its stream fails (its reconnection); the first start is the connection, every further one a reconnect;
 *  - EventService._close(reason) is how a stream ends; reasons other than an orderly close are kept, once per stream.
 * The listener a source feeds is told by markListener; the script's only other full-block source is its contract
 * listener's.
 */
const { EventService } = require('fabric-common');
const { BlockEventSource } = require('fabric-network/lib/impl/event/blockeventsource');

const opened = { full: 0, filtered: 0, private: 0 };
let raw = 0;
const sources = new Map(); // BlockEventSource -> { label, starts }
const labels = new Map(); // listener function -> label
const closeReasons = new Map(); // reason -> number of streams that ended with it
const failed = new WeakSet(); // event services whose stream already ended abnormally (a failure may close twice)
const ORDERLY = [/shutdown by "close\(\)" call/, /Shutdown due to end block number has been seen/, /Newest block received/];

const send = EventService.prototype.send;
EventService.prototype.send = function countedSend(...args) {
    opened[this.blockType] = (opened[this.blockType] ?? 0) + 1;
    return send.apply(this, args);
};

const close = EventService.prototype._close;
EventService.prototype._close = function recordedClose(reason, ...rest) {
    const message = String(reason?.message ?? reason).split('\n')[0];
    if (!ORDERLY.some((orderly) => orderly.test(message)) && !failed.has(this)) {
        failed.add(this);
        closeReasons.set(message, (closeReasons.get(message) ?? 0) + 1);
    }
    return close.call(this, reason, ...rest);
};

const startEventService = BlockEventSource.prototype.startEventService;
BlockEventSource.prototype.startEventService = function countedStart(...args) {
    let source = sources.get(this);
    if (!source) {
        const marked = [...this.listeners].map((l) => labels.get(l)).find((l) => l);
        source = { label: marked ?? (this.blockType === 'full' ? 'contractListener' : `${this.blockType}Listener`), starts: 0 };
        sources.set(this, source);
    }
    source.starts++;
    return startEventService.apply(this, args);
};

module.exports = {
    markListener: (listener, label) => labels.set(listener, label),
    /** A Deliver stream the script opened itself (not through an event service). */
    countRaw: () => {
        raw++;
    },
    report: (sdkErrors) => {
        const listeners = [...sources.values()].map((s) => ({ listener: s.label, connections: s.starts, reconnects: Math.max(0, s.starts - 1) }));
        return {
            streamsOpened: { ...opened, raw },
            listeners,
            reconnects: listeners.reduce((sum, l) => sum + l.reconnects, 0),
            streamErrors: [...closeReasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
            sdkErrors,
        };
    },
};
