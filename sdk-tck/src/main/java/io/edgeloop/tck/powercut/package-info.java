/**
 * A power-cut file system for crash-consistency tests: {@link io.edgeloop.tck.powercut.PowerCutFileSystem} wraps a
 * real directory, does every operation there for real, and after a cut writes out what strict POSIX would have
 * kept (a file's content as of its last {@code force}, a directory's names as of its last sync), for the code under
 * test to reopen and check. It uses only the JDK. Edgeloop cuts its durable buffer (sdk-buffer {@code PowerCutTest}),
 * the OTA device state and the file-drop transport with it; an SPI implementer with a transport or deployer that
 * keeps state on disk can cut its own the same way.
 */
package io.edgeloop.tck.powercut;
