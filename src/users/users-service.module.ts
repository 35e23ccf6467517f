import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GrantRevocationModule } from '../grants/grant-revocation.module.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

/**
 * UsersService without the `core/users/` routes, for the modules that nest users in their items
 * (grants, tokens): importing them mounts no users API. Revokes grants on deactivation through
 * GrantRevocationModule (not the grants modules, which import this one).
 */
@Module({
  imports: [TypeOrmModule.forFeature([User]), GrantRevocationModule],
  providers: [UsersService],
  exports: [UsersService, TypeOrmModule],
})
export class UsersServiceModule {}
