export declare const DEFAULT_CHROMIUM: string;
export declare function chromiumPath(): string;
export declare function missingChromiumMessage(): Promise<string | null>;
