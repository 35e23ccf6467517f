export { ADMIN_URL_ENV, TEMPLATE_ENV, withDatabase } from './global-setup.mjs';
