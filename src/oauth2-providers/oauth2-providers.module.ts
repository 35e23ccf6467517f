import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OAuth2Provider } from './oauth2-provider.entity.js';
import { OAuth2ProvidersController } from './oauth2-providers.controller.js';
import { OAuth2ProvidersService } from './oauth2-providers.service.js';

/** providers/oauth2/: the OAuth2 providers admin API (issue 4). */
@Module({
  imports: [TypeOrmModule.forFeature([OAuth2Provider])],
  controllers: [OAuth2ProvidersController],
  providers: [OAuth2ProvidersService],
  exports: [OAuth2ProvidersService, TypeOrmModule],
})
export class OAuth2ProvidersModule {}
