/** Edgeloop quantize: quantization-aware fine-tuning. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.qat;
