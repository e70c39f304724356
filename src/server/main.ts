/** Entry of dist/server.js: the transport (--stdio, --node-ipc, --socket) comes from argv. */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
