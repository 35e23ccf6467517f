import { Module } from '@nestjs/common';

/** Admin API of this resource (issue 4). */
@Module({})
export class RbacModule {}
