// The run settings' one table (fields.h) and the one JSON reader and writer (json.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "core/embedded_text.h"
#include "core/fields.h"
#include "core/json.h"
#include "core/lessons.h"
#include "core/runfile.h"

using namespace ap;

TEST(Fields, EveryKeyIsUniqueAndEveryDefaultIsInRange) {
    for (FieldKey which : {FieldKey::url, FieldKey::file, FieldKey::js, FieldKey::member}) {
        std::set<std::string> seen;
        for (const RunField& f : run_fields()) EXPECT_TRUE(seen.insert(field_key(f, which)).second) << field_key(f, which);
    }
    const RunDesc defaults;
    for (const RunField& f : run_fields()) {
        RunDesc d = defaults;
        EXPECT_EQ(clamp_field(f, &d), "") << f.member << " default " << f.get(defaults);
        EXPECT_EQ(find_run_field(FieldKey::url, f.url_key), &f);
        EXPECT_EQ(find_run_field(FieldKey::js, f.js_key), &f);
    }
    EXPECT_EQ(find_run_field(FieldKey::url, "colour"), nullptr);
}

TEST(Fields, TextRoundTripsForEveryValueOfEveryField) {
    for (const RunField& f : run_fields()) {
        for (int v : {f.min, (f.min + f.max) / 2, f.max}) {
            RunDesc d;
            f.set(d, v);
            RunDesc back;
            std::string error;
            ASSERT_TRUE(set_field_text(f, &back, field_text(f, d), &error)) << f.member << ": " << error;
            EXPECT_EQ(f.get(back), v) << f.member;
        }
    }
}

TEST(Fields, OnlyWholeNumbersAndKnownNamesAreRead) {
    const RunField& n = *find_run_field(FieldKey::url, "n");
    RunDesc d;
    std::string error;
    for (const char* bad : {"", "+5", " 5", "5 ", "5x", "1e3", "5.0", "0x10", "--5"}) {
        EXPECT_FALSE(set_field_text(n, &d, bad, &error)) << bad;
    }
    EXPECT_EQ(d.count, RunDesc{}.count) << "a refused value changes nothing";
    EXPECT_FALSE(set_field_text(n, &d, std::string("5\0", 2), &error)) << "a NUL inside the text";
    EXPECT_FALSE(set_field_text(n, &d, "1234567890", &error)) << "more digits than an int holds";
    EXPECT_EQ(error, "n must be a whole number, got '1234567890'");
    EXPECT_FALSE(set_field_text(n, &d, "x", &error, FieldKey::js));
    EXPECT_EQ(error, "n must be a whole number, got 'x'");
    const RunField& latency = *find_run_field(FieldKey::js, "latencyMs");
    EXPECT_FALSE(set_field_text(latency, &d, "slow", &error, FieldKey::js));
    EXPECT_EQ(error, "latencyMs must be a whole number, got 'slow'");
    EXPECT_TRUE(set_field_text(n, &d, "-5", &error));
    EXPECT_EQ(d.count, -5);
    const RunField& path = *find_run_field(FieldKey::url, "path");
    EXPECT_FALSE(set_field_text(path, &d, "paralel", &error));
    EXPECT_EQ(error.rfind("unknown code path 'paralel' (sequential, concurrent, bounded", 0), 0u) << error;
    EXPECT_TRUE(set_field_text(path, &d, "pool_limit", &error));
    EXPECT_EQ(d.path, CodePath::pool_limit);
}

TEST(Fields, ClampingSaysWhatChanged) {
    RunDesc d;
    d.latency_ms = 12000;
    d.status = 42;
    d.spread = Spread(9);
    EXPECT_EQ(clamp_field(*find_run_field(FieldKey::url, "latency"), &d), "Latency = 12,000 ms is above 10,000 ms: using 10,000 ms.");
    EXPECT_EQ(d.latency_ms, 10000);
    EXPECT_EQ(clamp_field(*find_run_field(FieldKey::url, "status"), &d), "Status 42 is not an HTTP status: using 200.");
    EXPECT_EQ(d.status, 200);
    EXPECT_EQ(clamp_field(*find_run_field(FieldKey::url, "spread"), &d), "Unknown latency spread: using even.");
    EXPECT_EQ(d.spread, Spread::even);
}

TEST(Fields, TheProgramsConstantsComeFromTheTable) {
    RunDesc d;
    d.count = 7;
    d.latency_ms = 123;
    d.spread = Spread::slow_tail;
    d.slow_every = 4;
    const std::string program = "N = 50\nDELAY_MS = 500  # a comment\nUNEVEN = True\nSLOW_EVERY = 0\nBASE = \"x\"\n";
    EXPECT_EQ(render_snippet(program, d, "http://127.0.0.1:9"),
              "N = 7\nDELAY_MS = 123  # a comment\nUNEVEN = False\nSLOW_EVERY = 4\nBASE = \"http://127.0.0.1:9\"\n");
}

// A made-up new setting touches the table and the code that uses it, nothing else: every consumer below
// reads whatever the table holds.
TEST(Fields, EveryConsumerCoversEveryField) {
    RunDesc d;
    for (const RunField& f : run_fields()) f.set(d, f.kind == FieldKind::choice ? f.max : f.min == f.max ? f.min : f.min + 1);
    ASSERT_TRUE(clamp_run_desc(&d).empty());
    // Permalinks carry every setting that differs from the preset, and a lesson preset reads them back.
    Lesson lesson;
    lesson.id = "x";
    const std::string query = permalink_query(d, lesson);
    RunDesc back;
    for (const auto& [key, value] : parse_query(query)) {
        if (key == "lesson") continue;
        std::string error;
        ASSERT_TRUE(apply_preset(key + "=" + value, &back, &error)) << key << ": " << error;
    }
    for (const RunField& f : run_fields()) EXPECT_EQ(f.get(back), f.get(d)) << "permalink of " << f.member;
}

TEST(Json, ReadsWhatItWritesAndNeverWritesNanOrInf) {
    JsonWriter w;
    w.begin_object().key("a").integer(-3).key("b").number(0.1).key("x1").number(std::nan("")).key("x2")
        .number(std::numeric_limits<double>::infinity(), 3).key("big").number(1e300, 3).key("s").string("quote \" comma , \\ \n")
        .key("list").strings({"x", "y,z"}).key("t").boolean(true).key("n").null().key("o").begin_object().end_object().end_object();
    const std::string text = w.take();
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;
    EXPECT_EQ(text.find("inf"), std::string::npos) << text;
    JsonValue v;
    std::string error;
    ASSERT_TRUE(parse_json(text, &v, &error)) << error << "\n" << text;
    EXPECT_EQ(v.get("a")->integer, -3);
    EXPECT_EQ(v.get("b")->number, 0.1);
    EXPECT_EQ(v.get("x1")->kind, JsonValue::Kind::null);
    EXPECT_EQ(v.get("x2")->kind, JsonValue::Kind::null);
    EXPECT_EQ(v.get("big")->number, 1e300);
    EXPECT_EQ(v.get("s")->text, "quote \" comma , \\ \n");
    ASSERT_EQ(v.get("list")->items.size(), 2u);
    EXPECT_EQ(v.get("list")->items[1].text, "y,z");
    EXPECT_TRUE(v.get("t")->flag);
    EXPECT_TRUE(v.get("o")->is_object());
    // Read again into the same value: nothing of the first text stays; a failed read leaves it alone.
    ASSERT_TRUE(parse_json("{\"only\":1}", &v, &error)) << error;
    EXPECT_EQ(v.get("a"), nullptr);
    EXPECT_EQ(v.get("only")->integer, 1);
    EXPECT_FALSE(parse_json("{\"only\":", &v, &error));
    EXPECT_EQ(v.get("only")->integer, 1);
}

TEST(Json, RefusesWhatIsNotStrictJsonWithLineAndColumn) {
    JsonValue v;
    std::string error;
    EXPECT_FALSE(parse_json("{\"a\":1,}", &v, &error));
    EXPECT_EQ(error, "line 1, column 8: expected a key in double quotes, found '}'");
    EXPECT_FALSE(parse_json("{\"a\":1,\"a\":2}", &v, &error));
    EXPECT_FALSE(parse_json("[NaN]", &v, &error));
    EXPECT_FALSE(parse_json("\n [1] x", &v, &error));
    EXPECT_EQ(error, "line 2, column 6: unexpected 'x' after the end of the text's value");
    JsonLimits small;
    small.max_depth = 3;
    EXPECT_FALSE(parse_json("[[[[1]]]]", &v, &error, small));
    EXPECT_EQ(error, "line 1, column 4: nested deeper than 3 levels");
    small.max_bytes = 4;
    EXPECT_FALSE(parse_json("[1,2]", &v, &error, small));
}
