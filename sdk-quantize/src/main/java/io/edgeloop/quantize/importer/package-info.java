/** Edgeloop quantize: importer. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.importer;
