package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryKindOfValueWithJavaTypes() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], \"b\": {\"c\": \"x\"}, \"d\": 9223372036854775807} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(LinkedHashMap.class, m.getClass());
        assertEquals(List.of("a", "b", "d"), new ArrayList<>(m.keySet()), "key order kept");
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2L, a.get(1));
        assertEquals(3.5, a.get(2));
        assertEquals(1000.0, a.get(3));
        assertEquals(-0.0025, a.get(4));
        assertEquals(Boolean.TRUE, a.get(5));
        assertEquals(Boolean.FALSE, a.get(6));
        assertNull(a.get(7));
        assertEquals(Map.of("c", "x"), m.get("b"));
        assertEquals(Long.MAX_VALUE, m.get("d"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"), "beyond the long range: a double");
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @Test
    void decodesEscapes() {
        assertEquals("q\" b\\ s/ \b\f\n\r\t \u00e9 \ud83d\ude00", Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00E9 \\ud83d\\ude00\""));
        assertEquals("é😀", Json.parse("\"é😀\""), "raw non-ASCII passes through");
    }

    @Test
    void writesCompactJsonThatParsesBackEqual() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "tab\tquote\"back\\slash\u0001 é 😀");
        m.put("ints", List.of(0L, -7L, Long.MIN_VALUE));
        m.put("reals", List.of(0.5, -1.25e-7, 1e300));
        m.put("flags", List.of(true, false));
        m.put("nothing", null);
        m.put("nested", Map.of("k", List.of(Map.of())));
        String text = Json.write(m);
        assertEquals("{\"name\":\"tab\\tquote\\\"back\\\\slash\\u0001 é 😀\",\"ints\":[0,-7,-9223372036854775808],"
                + "\"reals\":[0.5,-1.25E-7,1.0E300],\"flags\":[true,false],\"nothing\":null,\"nested\":{\"k\":[{}]}}", text);
        assertEquals(m, Json.parse(text));
        assertEquals("[1,2,3.0,0.1]", Json.write(List.of(1, (short) 2, 3.0, 0.1f)), "int, short, double and float (shortest form)");
        // an unpaired surrogate is escaped, so the text stays valid UTF-8 and reads back the same
        String lone = "a\ud800b";
        assertEquals("\"a\\ud800b\"", Json.write(lone));
        assertEquals(lone, Json.parse(Json.write(lone)));
    }

    @Test
    void randomValuesRoundTrip() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < 300; i++) {
            Object v = randomValue(rng, 0);
            assertEquals(v, Json.parse(Json.write(v)));
        }
    }

    private static Object randomValue(SplittableRandom rng, int depth) {
        int kind = rng.nextInt(depth > 4 ? 5 : 7);
        switch (kind) {
            case 0: return null;
            case 1: return rng.nextBoolean();
            case 2: return rng.nextLong();
            case 3: return (rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(-30, 30));
            case 4: {
                StringBuilder sb = new StringBuilder();
                for (int n = rng.nextInt(8); n > 0; n--) sb.append((char) rng.nextInt(0, 0x3000));
                return sb.toString();
            }
            case 5: {
                List<Object> l = new ArrayList<>();
                for (int n = rng.nextInt(4); n > 0; n--) l.add(randomValue(rng, depth + 1));
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int n = rng.nextInt(4); n > 0; n--) m.put("k" + rng.nextInt(100), randomValue(rng, depth + 1));
                return m;
            }
        }
    }

    private static JsonException rejects(String text, String expectedMessagePart) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text), text);
        assertTrue(e.getMessage().contains(expectedMessagePart), text + " -> " + e.getMessage());
        return e;
    }

    @Test
    void rejectsWhatStrictJsonForbidsWithThePosition() {
        assertEquals(7, rejects("{\"a\":1,}", "expected a string key").position());
        assertEquals(3, rejects("[1,]", "expected a value").position());
        rejects("[01]", "leading zeros");
        rejects("[1.]", "after the decimal point");
        rejects("[1e]", "in the exponent");
        rejects("[-]", "expected a digit");
        rejects("[+1]", "expected a value");
        rejects("[.5]", "expected a value");
        rejects("[NaN]", "expected a value");
        rejects("[Infinity]", "expected a value");
        rejects("[1e400]", "out of range");
        rejects("{'a':1}", "expected a string key");
        rejects("{\"a\" 1}", "expected ':'");
        rejects("{\"a\":1 \"b\":2}", "expected ',' or '}'");
        rejects("[1 2]", "expected ',' or ']'");
        rejects("[tru]", "expected a value");
        rejects("\"abc", "unterminated string");
        rejects("\"a\nb\"", "unescaped control character U+000A");
        rejects("\"\\x\"", "invalid escape \\x");
        rejects("\"\\u12G4\"", "4 hex digits");
        rejects("[1] x", "after the JSON value");
        rejects("", "unexpected end of input");
        rejects("[1, 2", "expected ',' or ']' in an array, got end of input");
        rejects("[1] // comment", "after the JSON value");
        rejects("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key \"a\"");
        JsonException e = rejects("{\n  \"a\": tx\n}", "line 2, column 8");
        assertEquals(9, e.position());
    }

    @Test
    void enforcesDepthAndLengthLimits() {
        String deep = "[".repeat(10) + "]".repeat(10);
        assertEquals(List.of(List.of()), Json.parse("[[]]", 2, 100));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep, 9, 100));
        assertTrue(e.getMessage().contains("nesting deeper than the limit of 9"), e.getMessage());
        assertEquals(9, e.position());
        Json.parse(deep, 10, 100);
        // a very deep input fails on the limit, not with a StackOverflowError
        String hostile = "[".repeat(1_000_000);
        assertThrows(JsonException.class, () -> Json.parse(hostile));
        e = assertThrows(JsonException.class, () -> Json.parse("[1,2,3]", 10, 6));
        assertTrue(e.getMessage().contains("exceeds the limit of 6"), e.getMessage());
        assertThrows(JsonException.class, () -> Json.parseObject("[1]"));
    }

    @Test
    void writerRejectsWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Float.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
