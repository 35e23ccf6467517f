import { Module } from '@nestjs/common';
import { GrantRevocationService } from './grant-revocation.service.js';

/** Revocation on its own, so that the users module can revoke on deactivation without a cycle. */
@Module({ providers: [GrantRevocationService], exports: [GrantRevocationService] })
export class GrantRevocationModule {}
