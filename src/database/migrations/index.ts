import { Initial1796010639477 } from './1796010639477-Initial.js';

/** Every migration, oldest first (listed explicitly: no file globbing at run time). */
export const MIGRATIONS = [Initial1796010639477];
