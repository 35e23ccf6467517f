import { Module, type Type } from '@nestjs/common';
import { grantController } from './grant.controller.js';
import type { GrantKind } from './grant-kind.js';
import { GrantsServiceModule } from './grants-service.module.js';

const modules = new Map<GrantKind, Type<unknown>>();

/**
 * The feature module of one grant kind: its four routes (`grantController`), exporting the
 * GrantsService that serves them. One class per kind, however often it is asked for, so that the
 * kind's routes are declared once whether GrantsModule or a host imports the module.
 */
export function grantKindModule(kind: GrantKind): Type<unknown> {
  let module = modules.get(kind);
  if (!module) {
    @Module({
      imports: [GrantsServiceModule],
      controllers: [grantController(kind)],
      exports: [GrantsServiceModule],
    })
    class GrantKindModule {}
    Object.defineProperty(GrantKindModule, 'name', { value: `${kind.modelName}sModule` });
    module = GrantKindModule;
    modules.set(kind, module);
  }
  return module;
}
