'use strict';
/*
 * The legacy SDK's logger (fabric-common's documented logger hook), replaced so that its error logging stays off
 * stdout (where the checks' JSON lines go) and can be reported: warnings and errors are kept by their first line,
 * with a count. LEGACY_INTEROP_SDK_LOG=<file> also appends every SDK log line, debug included, to that file.
 */
const fs = require('node:fs');
const util = require('node:util');

const MAX_DISTINCT = 20;
const counts = new Map();

function firstLine(args) {
    // Stream and service numbers (#12, stream:34) differ per reconnection; the reason does not.
    return util.format(...args).split('\n')[0].replace(/#\d+/g, '#n').replace(/stream:\d+/g, 'stream:n').slice(0, 400);
}

function keep(level, args) {
    const line = `${level}: ${firstLine(args)}`;
    if (counts.has(line) || counts.size < MAX_DISTINCT) counts.set(line, (counts.get(line) ?? 0) + 1);
}

function install() {
    const file = process.env.LEGACY_INTEROP_SDK_LOG;
    const write = file ? (level, args) => fs.appendFileSync(file, `${new Date().toISOString()} ${level} ${util.format(...args)}\n`) : () => {};
    const logger = {
        debug: (...args) => write('debug', args),
        info: (...args) => write('info', args),
        warn: (...args) => {
            write('warn', args);
            keep('warn', args);
        },
        error: (...args) => {
            write('error', args);
            keep('error', args);
        },
    };
    // Utils.setLogger stores the logger here; fabric-common and fabric-network modules take it when they load.
    require('fabric-common/lib/Utils').setLogger(logger);
}

/** The SDK's distinct warnings and errors so far, most frequent first. */
function errors() {
    return [...counts].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
}

module.exports = { install, errors };
