// MongoDB wire-compatible stand-in built on mongo-java-server (de.bwaldvogel).
//
// Run without a compile step (Java 17 single-file source launcher):
//
//   java -cp '<libdir>/*' scripts/standin/StandinServer.java --backend memory|h2 [--file path/to/db.mv] --port 0
//
// where <libdir> holds the jars resolved by
//   mvn -q -f scripts/standin/pom.xml dependency:copy-dependencies -DoutputDirectory=<absolute libdir>
// (a relative outputDirectory is taken relative to scripts/standin/, not to the working directory)
//
// On success it prints exactly one line "STANDIN_READY <port>" to stdout. Logging
// (slf4j-simple) goes to stderr, warnings and above only. See README.md.

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

public class StandinServer {

    /** --sessions: advertise session support and accept transaction commands (without any atomicity). */
    private static volatile boolean fakeSessions = false;

    /**
     * All commands run one at a time. mongo-java-server's H2 backend races when two connections
     * create the same collection at once (e.g. mongoose's autoCreate "create" next to an insert or
     * createIndexes): the loser fails with "Unknown error: Document with key 'db.coll' already
     * existed in H2Collection(db.system.namespaces)" instead of NamespaceExists (48), which the
     * drivers/mongoose would tolerate. Serializing is cheap for a test/dev stand-in.
     */
    private static final Object COMMAND_LOCK = new Object();

    /** Commands that change data or indexes (lower case). */
    private static final java.util.Set<String> WRITE_COMMANDS = java.util.Set.of(
            "insert", "update", "delete", "findandmodify", "create", "createindexes", "drop", "dropindexes",
            "dropdatabase", "renamecollection");

    /** mongo-java-server 1.47 only ships MONGO_3_6/4_0/5_0 (wire 6/7/8); report 6.0 / wire 17 instead. */
    enum StandinVersion implements MongoVersion {
        MONGO_6_0(List.of(6, 0, 0), 17);

        private final List<Integer> versionArray;
        private final int wireVersion;

        StandinVersion(List<Integer> versionArray, int wireVersion) {
            this.versionArray = versionArray;
            this.wireVersion = wireVersion;
        }

        @Override
        public List<Integer> getVersionArray() {
            return versionArray;
        }

        @Override
        public int getWireVersion() {
            return wireVersion;
        }
    }

    private static void usage(String error) {
        if (error != null) {
            System.err.println("standin: " + error);
        }
        System.err.println("usage: java -cp '<libdir>/*' StandinServer.java"
                + " [--backend memory|h2] [--file path/to/db.mv] [--host 127.0.0.1] [--port 0]"
                + " [--watch-stdin | --no-watch-stdin] [--sessions]");
        System.exit(2);
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            usage("missing value for " + args[i]);
        }
        return args[i + 1];
    }

    public static void main(String[] args) throws Exception {
        // Must happen before any slf4j logger is created (i.e. before touching the server classes).
        // Explicit -D settings on the java command line win.
        setDefaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefaultProperty("org.slf4j.simpleLogger.logFile", "System.err");
        setDefaultProperty("org.slf4j.simpleLogger.showDateTime", "true");

        String backendName = "memory";
        String file = null;
        String host = "127.0.0.1";
        int port = 0;
        boolean watchStdin = true;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--backend" -> backendName = value(args, i++);
                case "--file" -> file = value(args, i++);
                case "--host" -> host = value(args, i++);
                case "--port" -> {
                    String p = value(args, i++);
                    try {
                        port = Integer.parseInt(p);
                    } catch (NumberFormatException e) {
                        usage("invalid port: " + p);
                    }
                    if (port < 0 || port > 65535) {
                        usage("invalid port: " + p);
                    }
                }
                case "--watch-stdin" -> watchStdin = true;
                case "--no-watch-stdin" -> watchStdin = false;
                case "--sessions" -> fakeSessions = true;
                case "-h", "--help" -> usage(null);
                default -> usage("unknown argument: " + arg);
            }
        }

        MongoBackend backend;
        switch (backendName) {
            case "memory" -> {
                if (file != null) {
                    usage("--file is only valid with --backend h2");
                }
                backend = new MemoryBackend() {
                    @Override
                    public Document handleCommand(Channel channel, String db, String command, Document query) {
                        return dispatch(command, name -> super.handleCommand(channel, db, name, query));
                    }
                };
            }
            case "h2" -> {
                if (file == null) {
                    usage("--backend h2 needs --file path/to/db.mv");
                }
                File f = new File(file).getAbsoluteFile();
                File dir = f.getParentFile();
                if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
                    throw new IOException("cannot create directory " + dir);
                }
                try {
                    backend = new H2Backend(f.getPath()) {
                        @Override
                        public Document handleCommand(Channel channel, String db, String command, Document query) {
                            return dispatch(command, name -> {
                                Document reply = super.handleCommand(channel, db, name, query);
                                // Acknowledged means durable: the MVStore would commit about a second later by itself,
                                // so a write is committed and synced to disk before its answer goes out.
                                if (WRITE_COMMANDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                                    commit();
                                    getMvStore().sync();
                                }
                                return reply;
                            });
                        }
                    };
                } catch (RuntimeException e) { // e.g. the file is locked by another process
                    System.err.println("standin: cannot open H2 file " + f + ": " + e.getMessage());
                    System.exit(1);
                    return;
                }
            }
            default -> {
                usage("unknown backend: " + backendName);
                return;
            }
        }
        backend.version(StandinVersion.MONGO_6_0);

        MongoServer server = new MongoServer(backend);
        AtomicBoolean stopped = new AtomicBoolean(false);
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                try {
                    // closes client connections, the netty event loops and the backend
                    // (for H2: commits and closes the MVStore file)
                    server.shutdownNow();
                } catch (Throwable t) {
                    System.err.println("standin: error during shutdown: " + t);
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "standin-shutdown"));

        try {
            server.bind(host, port);
        } catch (Exception e) { // netty rethrows java.net.BindException undeclared
            System.err.println("standin: cannot bind " + host + ":" + port + ": " + e);
            stop.run();
            System.exit(1);
        }
        int boundPort = server.getLocalAddress().getPort();

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                byte[] buf = new byte[256];
                try {
                    InputStream in = System.in;
                    while (in.read(buf) >= 0) {
                        // ignore anything written to stdin; only EOF matters
                    }
                } catch (IOException e) {
                    // treat a broken stdin like EOF
                }
                System.exit(0); // runs the shutdown hook
            }, "standin-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        System.out.println("STANDIN_READY " + boundPort);
        System.out.flush();

        // The netty event loop threads are non-daemon and keep the JVM alive until shutdown.
    }

    /**
     * Small command shims on top of mongo-java-server 1.47:
     * <ul>
     * <li>It knows the legacy "isMaster" handshake but not its successor "hello" (MongoDB 4.4+).
     * The drivers use isMaster for the first handshake, so only explicit {hello: 1} commands need
     * this: they get the isMaster reply plus isWritablePrimary.</li>
     * <li>With --sessions: the handshake reply carries logicalSessionTimeoutMinutes, so the drivers
     * allow startSession() and attach lsid/txnNumber to commands (the server ignores both), and
     * commitTransaction/abortTransaction answer ok. Writes inside a "transaction" are applied at
     * once: nothing is isolated and abortTransaction does NOT roll anything back.</li>
     * </ul>
     */
    private static Document dispatch(String command, Function<String, Document> backendCommand) {
        synchronized (COMMAND_LOCK) {
            return dispatchLocked(command, backendCommand);
        }
    }

    private static Document dispatchLocked(String command, Function<String, Document> backendCommand) {
        boolean hello = "hello".equalsIgnoreCase(command);
        if (hello || "isMaster".equalsIgnoreCase(command)) {
            Document reply = backendCommand.apply("isMaster");
            if (hello) {
                reply.put("isWritablePrimary", Boolean.TRUE);
            }
            if (fakeSessions) {
                reply.put("logicalSessionTimeoutMinutes", 30);
            }
            return reply;
        }
        if (fakeSessions && ("commitTransaction".equalsIgnoreCase(command)
                || "abortTransaction".equalsIgnoreCase(command))) {
            Document reply = new Document();
            reply.put("ok", 1.0);
            return reply;
        }
        return backendCommand.apply(command);
    }

    private static void setDefaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
