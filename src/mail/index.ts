// The shared mailer: `import { createMailer, isMailConfigured } from '../../mail'`.
export * from './mailer';
export * from './outbox';
