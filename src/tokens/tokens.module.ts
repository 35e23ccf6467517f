import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersServiceModule } from '../users/users-service.module.js';
import { Token } from './token.entity.js';
import { TokensController } from './tokens.controller.js';
import { TokensService } from './tokens.service.js';

/** core/tokens/: API tokens, their keys kept only as HMAC and ciphertext. */
@Module({
  imports: [TypeOrmModule.forFeature([Token]), UsersServiceModule],
  controllers: [TokensController],
  providers: [TokensService],
  exports: [TokensService, TypeOrmModule],
})
export class TokensModule {}
