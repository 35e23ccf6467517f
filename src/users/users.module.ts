import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GrantRevocationModule } from '../grants/grant-revocation.module.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/**
 * `core/users/`. Revokes grants on deactivation through GrantRevocationModule (not GrantsModule,
 * which imports this module for the users nested in grants).
 */
@Module({
  imports: [TypeOrmModule.forFeature([User]), GrantRevocationModule],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService, TypeOrmModule],
})
export class UsersModule {}
