/**
 * The {@code edgeloop} command-line tool: one package per subcommand group.
 */
package io.edgeloop.cli;
