// Loaded before every test file (see .mocharc.json).
process.env.NODE_ENV = process.env.NODE_ENV || 'test';
