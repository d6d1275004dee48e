/**
 * Edgeloop OTA: signed model bundles, trust roots, a versioned registry, the device agent (A/B install, golden
 * vectors, rollback), staged rollouts and a fleet simulator. The {@code directory} and {@code http} deployers are
 * registered as providers; their package is not exported.
 */
module io.edgeloop.ota {
    requires transitive io.edgeloop.api;
    requires transitive com.fasterxml.jackson.databind;
    requires org.apache.commons.compress;
    requires org.bouncycastle.provider;
    requires java.net.http;
    requires org.slf4j;
    requires jdk.httpserver;

    exports io.edgeloop.ota.json;
    exports io.edgeloop.ota.trust;
    exports io.edgeloop.ota.bundle;
    exports io.edgeloop.ota.agent;
    exports io.edgeloop.ota.rollout;
    exports io.edgeloop.ota.fleet;
    exports io.edgeloop.ota.server;
    exports io.edgeloop.ota.registry;

    uses io.edgeloop.api.runtime.ModelRuntimeProvider;
    uses io.edgeloop.ota.registry.ModelRegistryProvider;

    provides io.edgeloop.ota.registry.ModelRegistryProvider with
            io.edgeloop.ota.registry.fs.FileSystemRegistryProvider;

    provides io.edgeloop.api.deploy.DeployerProvider with
            io.edgeloop.ota.deploy.DirectoryDeployerProvider,
            io.edgeloop.ota.deploy.HttpDeployerProvider;
}
