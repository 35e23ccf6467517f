import { Initial1796010639477 } from './1796010639477-Initial.js';
import { GrantCleanup1796013216358 } from './1796013216358-GrantCleanup.js';
import { ScalableLists1796014500000 } from './1796014500000-ScalableLists.js';
import { SigningKeys1796019000000 } from './1796019000000-SigningKeys.js';
import { OidcEngine1796020000000 } from './1796020000000-OidcEngine.js';
import { UserGrantCounts1796021000000 } from './1796021000000-UserGrantCounts.js';

/** Every migration, oldest first (listed explicitly: no file globbing at run time). */
export const MIGRATIONS = [
  Initial1796010639477,
  GrantCleanup1796013216358,
  ScalableLists1796014500000,
  SigningKeys1796019000000,
  OidcEngine1796020000000,
  UserGrantCounts1796021000000,
];
