import { Global, Module } from '@nestjs/common';
import { InstallService } from './install.service.js';

@Global()
@Module({ providers: [InstallService], exports: [InstallService] })
export class InstallModule {}
