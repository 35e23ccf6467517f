import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CertificateKeyPair } from './certificate-key-pair.entity.js';
import { CertificateKeyPairsController } from './certificate-key-pairs.controller.js';
import { CertificateKeyPairsService } from './certificate-key-pairs.service.js';
import { SigningKeysService } from './signing-keys.service.js';

/**
 * The key pairs OAuth2 providers sign with (the defaults are created at start-up), and their
 * read-only admin list crypto/certificatekeypairs/.
 */
@Module({
  imports: [TypeOrmModule.forFeature([CertificateKeyPair])],
  controllers: [CertificateKeyPairsController],
  providers: [SigningKeysService, CertificateKeyPairsService],
  exports: [SigningKeysService],
})
export class SigningKeysModule {}
