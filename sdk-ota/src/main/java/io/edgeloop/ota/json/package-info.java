/**
 * The canonical JSON form signed in bundles and trust files (sorted keys, no whitespace, integers only).
 */
package io.edgeloop.ota.json;
