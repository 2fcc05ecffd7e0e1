// For the knex CLI: node --import tsx node_modules/knex/bin/cli.js migrate:latest
import { loadConfig } from './src/config';
import { knexConfig } from './src/db';

const config = loadConfig();
module.exports = knexConfig(config.database, config.dbPoolMax);
