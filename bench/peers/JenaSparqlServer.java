/*
 * A minimal SPARQL HTTP endpoint on Apache Jena ARQ over a TDB2 database, for bench/sparql.ts only
 * (there is no Fuseki on these machines, only Debian's libapache-jena-java). Not a product: no
 * update, no authentication, no content negotiation (SELECT and ASK answer SPARQL JSON results).
 *
 *   javac -cp JENA_CLASSPATH -d OUT JenaSparqlServer.java
 *   java -cp OUT:JENA_CLASSPATH JenaSparqlServer TDB2_DIR [THREADS]
 *
 * Listens on 127.0.0.1 on a free port and prints "listening PORT" on stdout once ready. The query is
 * taken from POST application/x-www-form-urlencoded (query=...), POST application/sparql-query or
 * GET ?query=..., as in the SPARQL 1.1 Protocol; each runs in its own read transaction, on a pool of
 * THREADS (default 16) worker threads, so concurrent clients run concurrently.
 */
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.QueryParseException;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.system.Txn;
import org.apache.jena.tdb2.TDB2Factory;

public class JenaSparqlServer {
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JenaSparqlServer TDB2_DIR [THREADS]");
      System.exit(2);
    }
    // without TCP_NODELAY a small response waits for the client's delayed ACK (about 40 ms per query)
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Dataset ds = TDB2Factory.connectDataset(args[0]);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(threads));
    server.createContext("/sparql", ex -> handle(ds, ex));
    server.start();
    System.out.println("listening " + server.getAddress().getPort());
    System.out.flush();
  }

  private static void handle(Dataset ds, HttpExchange ex) throws IOException {
    try {
      String text = queryText(ex);
      if (text == null) {
        send(ex, 400, "text/plain", "no query");
        return;
      }
      Query query;
      try {
        query = QueryFactory.create(text);
      } catch (QueryParseException e) {
        send(ex, 400, "text/plain", e.getMessage());
        return;
      }
      if (!query.isSelectType() && !query.isAskType()) {
        send(ex, 400, "text/plain", "only SELECT and ASK");
        return;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Txn.executeRead(ds, () -> {
        try (QueryExecution qe = QueryExecutionFactory.create(query, ds)) {
          if (query.isSelectType()) ResultSetFormatter.outputAsJSON(out, qe.execSelect());
          else ResultSetFormatter.outputAsJSON(out, qe.execAsk());
        }
      });
      send(ex, 200, "application/sparql-results+json", out.toByteArray());
    } catch (RuntimeException e) {
      send(ex, 500, "text/plain", String.valueOf(e));
    } finally {
      ex.close();
    }
  }

  /** The query of a SPARQL 1.1 Protocol request (GET ?query=, POST form, POST application/sparql-query). */
  private static String queryText(HttpExchange ex) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if ("POST".equals(ex.getRequestMethod())) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (type != null && type.startsWith("application/sparql-query")) return body;
      return param(body, "query");
    }
    return param(ex.getRequestURI().getRawQuery(), "query");
  }

  private static String param(String form, String name) {
    if (form == null) return null;
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }
}
