// The media module's public face: probe, analyse, rendition, store, synth. Pure of HTTP and DB.
export * from './errors';
export { resolveMediaTools, MediaToolsMissingError, MediaToolError, type MediaTools, type MediaToolPaths, type BinaryOrigin } from './ffmpeg';
export * from './probe';
export * from './analyse';
export * from './peaks-format';
export * from './rendition';
export * from './store';
export * from './synth';
export * from './prepare';
export * from './preparable';
