/** IMAP servers: endpoints, connections and their failures as findings. No vscode import. */
export * from './endpoint';
