import { Module } from '@nestjs/common';
import { UsersController } from './users.controller.js';
import { UsersServiceModule } from './users-service.module.js';

/** `core/users/`: the users API; exports UsersService. */
@Module({
  imports: [UsersServiceModule],
  controllers: [UsersController],
  exports: [UsersServiceModule],
})
export class UsersModule {}
