import { AccessToken } from '../access-tokens/access-token.entity.js';
import { Application } from '../applications/application.entity.js';
import { AuthorizationCode } from '../authorization-codes/authorization-code.entity.js';
import { Group } from '../groups/group.entity.js';
import { Install } from '../install/install.entity.js';
import { OAuth2Provider } from '../oauth2-providers/oauth2-provider.entity.js';
import { RefreshToken } from '../refresh-tokens/refresh-token.entity.js';
import { Role } from '../rbac/role.entity.js';
import { RolePermission } from '../rbac/role-permission.entity.js';
import { CertificateKeyPair } from '../signing-keys/certificate-key-pair.entity.js';
import { Token } from '../tokens/token.entity.js';
import { User } from '../users/user.entity.js';

export const ENTITIES = [
  User,
  Group,
  Role,
  RolePermission,
  OAuth2Provider,
  Application,
  AuthorizationCode,
  AccessToken,
  RefreshToken,
  Token,
  Install,
  CertificateKeyPair,
];
