/** Edgeloop quantize: codegen. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.codegen;
