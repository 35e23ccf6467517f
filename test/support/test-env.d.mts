export declare const ADMIN_URL_ENV: string;
export declare const TEMPLATE_ENV: string;
export declare function withDatabase(url: string, database: string): string;
