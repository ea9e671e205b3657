package org.conv4j.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.conv4j.io.Json;

/**
 * Headless Chromium driven through the Chrome DevTools Protocol over a WebSocket
 * ({@code java.net.http}), for tests that check a page really renders: one page, its events
 * (console, exceptions, log entries, network requests) recorded, commands answered in order.
 */
final class Chromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Process process;
    private final Path profile;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();

    private Chromium(Process process, Path profile, WebSocket ws) {
        this.process = process;
        this.profile = profile;
        this.ws = ws;
    }

    /** Starts Chromium on about:blank with a new empty profile and connects to its page. */
    static Chromium start(Path work) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=1280,900", "about:blank");
        pb.redirectErrorStream(true);
        pb.redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile());
        Process p = pb.start();
        try {
            // Chromium writes its port to DevToolsActivePort in the profile once it listens
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (!(Files.isRegularFile(portFile) && Files.readString(portFile).contains("\n"))) {
                if (!p.isAlive()) throw new IOException("Chromium exited with code " + p.exitValue() + " before listening; see " + profile + ".log");
                if (System.nanoTime() > deadline) throw new IOException("Chromium did not open its DevTools port within 40 s; see " + profile + ".log");
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String wsUrl = null;
            for (int tries = 0; wsUrl == null && tries < 50; tries++) {
                String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                for (Object t : (List<?>) Json.parse(list)) {
                    Map<?, ?> target = (Map<?, ?>) t;
                    if ("page".equals(target.get("type"))) wsUrl = (String) target.get("webSocketDebuggerUrl");
                }
                if (wsUrl == null) Thread.sleep(100);
            }
            if (wsUrl == null) throw new IOException("Chromium has no page target");
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), listener).get(20, TimeUnit.SECONDS);
            Chromium c = new Chromium(p, profile, ws);
            listener.owner = c;
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            kill(p);
            throw e;
        } catch (Exception e) {
            kill(p);
            throw new IOException("cannot connect to Chromium: " + e, e);
        }
    }

    /** Sends a command and waits for its result (an error answer fails the test). */
    Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("id", (long) id);
        msg.put("method", method);
        msg.put("params", params);
        synchronized (ws) {
            ws.sendText(Json.write(msg), true).get(20, TimeUnit.SECONDS);
        }
        Map<String, Object> answer = f.get(60, TimeUnit.SECONDS);
        if (answer.containsKey("error")) throw new AssertionError(method + " failed: " + Json.write(answer.get("error")));
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) answer.getOrDefault("result", Map.of());
        return result;
    }

    /** Waits for an event of this method, recorded since the start. */
    Map<String, Object> awaitEvent(String method, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (Map<String, Object> e : events) if (method.equals(e.get("method"))) return e;
            Thread.sleep(50);
        }
        throw new AssertionError("no " + method + " event within " + seconds + " s");
    }

    /** Evaluates a JavaScript expression in the page and returns its value. */
    Object eval(String expression) throws Exception {
        Map<String, Object> r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.containsKey("exceptionDetails")) throw new AssertionError("JavaScript error in " + expression + ": " + Json.write(r.get("exceptionDetails")));
        return ((Map<?, ?>) r.get("result")).get("value");
    }

    /** The console errors, uncaught exceptions and error log entries seen so far, one line each. */
    List<String> errors() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> e : events) {
            Map<?, ?> p = (Map<?, ?>) e.get("params");
            switch ((String) e.get("method")) {
                case "Runtime.consoleAPICalled" -> {
                    if ("error".equals(p.get("type")) || "assert".equals(p.get("type"))) out.add("console." + p.get("type") + ": " + Json.write(p.get("args")));
                }
                case "Runtime.exceptionThrown" -> out.add("exception: " + Json.write(p.get("exceptionDetails")));
                case "Log.entryAdded" -> {
                    Map<?, ?> entry = (Map<?, ?>) p.get("entry");
                    if ("error".equals(entry.get("level"))) out.add("log: " + entry.get("source") + ": " + entry.get("text") + " " + entry.get("url"));
                }
                default -> {
                }
            }
        }
        return out;
    }

    /** The URLs of every request the page made. */
    List<String> requests() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> e : events) {
            if ("Network.requestWillBeSent".equals(e.get("method"))) out.add((String) ((Map<?, ?>) ((Map<?, ?>) e.get("params")).get("request")).get("url"));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
            int id = ids.incrementAndGet();
            pending.put(id, f);
            synchronized (ws) {
                ws.sendText("{\"id\":" + id + ",\"method\":\"Browser.close\"}", true).get(5, TimeUnit.SECONDS);
            }
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // fall through to killing it
        } finally {
            kill(process);
            deleteTree(profile);
        }
    }

    /** Ends the Chromium we started and the processes it started, by their ids. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            // a crash-report file still being written is not worth failing a test for
        }
    }

    private void received(String text) {
        Map<String, Object> m = Json.parseObject(text);
        if (m.get("id") instanceof Number id) {
            CompletableFuture<Map<String, Object>> f = pending.remove(id.intValue());
            if (f != null) f.complete(m);
        } else if (m.containsKey("method")) {
            events.add(m);
        }
    }

    /** Reassembles fragmented text frames into whole protocol messages. */
    private static final class Listener implements WebSocket.Listener {
        volatile Chromium owner;
        private final StringBuilder buf = new StringBuilder();
        private final List<String> early = new ArrayList<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buf.append(data);
            if (last) {
                String msg = buf.toString();
                buf.setLength(0);
                Chromium c = owner;
                if (c == null) {
                    early.add(msg);
                } else {
                    for (String e : early) c.received(e);
                    early.clear();
                    c.received(msg);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
