// This build's version: package.json's "version" (test/core/version.test.ts keeps the two equal). A module of
// its own, with no import, so that any bundle can name it without carrying package.json.
export const SYNCHANNEL_VERSION = '0.2.0';
