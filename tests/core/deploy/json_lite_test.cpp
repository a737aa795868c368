// The bundle reader's minimal JSON parser: values, escapes, exact integers, clear errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "../test_util.h"
#include "deploy/host/json_lite.h"

namespace bitshift::json_lite {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(JsonLite, ParsesNestedDocumentInOrder) {
  const Value v = parse(R"( {"b": [1, -2.5, true, false, null], "a": {"x": "y"}, "e": []} )");
  const Value::Members& m = v.as_object();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].first, "b");  // file order kept
  const std::vector<Value>& b = v.at("b").as_array();
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b[0].as_int(), 1);
  EXPECT_DOUBLE_EQ(b[1].as_double(), -2.5);
  EXPECT_TRUE(b[2].as_bool());
  EXPECT_FALSE(b[3].as_bool());
  EXPECT_TRUE(b[4].is_null());
  EXPECT_EQ(v.at("a").at("x").as_string(), "y");
  EXPECT_TRUE(v.at("e").as_array().empty());
  EXPECT_EQ(v.find("zz"), nullptr);
}

TEST(JsonLite, IntegersStayExactBeyondDoublePrecision) {
  EXPECT_EQ(parse("9007199254740993").as_int(), 9007199254740993LL);
  EXPECT_EQ(parse("-9223372036854775808").as_int(), INT64_MIN);
  EXPECT_EQ(parse("9223372036854775807").as_int(), INT64_MAX);
  EXPECT_EQ(parse("1e3").as_int(), 1000);  // a whole double is an integer too
  EXPECT_EQ(parse("99999999999999999999").type(), Value::Type::Double);  // beyond int64
  EXPECT_DOUBLE_EQ(parse("0.1").as_double(), 0.1);
  EXPECT_DOUBLE_EQ(parse("-1.25E-2").as_double(), -0.0125);
}

TEST(JsonLite, StringEscapesAndUnicode) {
  EXPECT_EQ(parse(R"("a\"b\\c\/d\b\f\n\r\t")").as_string(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(parse(R"("\u00e9\u20ac")").as_string(), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(parse(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");  // surrogate pair
  EXPECT_EQ(parse("\"caf\xC3\xA9\"").as_string(), "caf\xC3\xA9");  // raw UTF-8 passes through
}

TEST(JsonLite, BadInputNamesTheByteOffset) {
  EXPECT_CONTAINS(parse_error(R"({"a": 1 "b": 2})"), "expected ',' or '}' in an object at byte 8");
  EXPECT_CONTAINS(parse_error("[1, 2"), "unexpected end of input at byte 5");
  EXPECT_CONTAINS(parse_error(R"("abc)"), "unterminated string");
  EXPECT_CONTAINS(parse_error(R"("\x")"), "invalid escape '\\x' at byte 2");
  EXPECT_CONTAINS(parse_error("01"), "after the value at byte 1");
  EXPECT_CONTAINS(parse_error("tru"), "invalid literal");
  EXPECT_CONTAINS(parse_error("{} x"), "unexpected 'x' after the value at byte 3");
  EXPECT_CONTAINS(parse_error(R"("\ud83d")"), "unpaired surrogate");
  EXPECT_CONTAINS(parse_error("-"), "expected a digit");
  EXPECT_CONTAINS(parse_error(""), "unexpected end of input at byte 0");
  EXPECT_CONTAINS(parse_error(std::string(1000, '[')), "nesting deeper than");
}

TEST(JsonLite, TypedAccessSaysWhatItFound) {
  const Value v = parse(R"({"n": "7", "f": 1.5})");
  try {
    v.at("n").as_int();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_CONTAINS(e.what(), "expected an integer, found a string");
  }
  EXPECT_THROW(v.at("f").as_int(), std::runtime_error);
  try {
    v.at("missing");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_CONTAINS(e.what(), "missing key 'missing'");
  }
}

}  // namespace
}  // namespace bitshift::json_lite
