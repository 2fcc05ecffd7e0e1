import knex from 'knex';
import { ConnectSessionKnexStore } from 'connect-session-knex';
const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
class S extends ConnectSessionKnexStore { override set(sid: string, s: any, cb?: any): any { const r = super.set(sid, s, cb); console.log('r', r, Object.getPrototypeOf(Object.getPrototypeOf(this)).set === ConnectSessionKnexStore.prototype.set); return r; } }
const s = new S({ knex: db, createTable: true, cleanupInterval: 0 });
console.log(ConnectSessionKnexStore.prototype.set.toString().slice(0,80));
s.set('a', { cookie: { maxAge: 1000 } } as any, () => {});
