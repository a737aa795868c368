#include "json_lite.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace bitshift::json_lite {

namespace {

constexpr int kMaxDepth = 512;  // deeper documents are refused instead of overflowing the stack

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  Value document() {
    Value v = value(0);
    skip_space();
    if (pos_ != s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "' after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }

  char peek() {
    skip_space();
    if (pos_ >= s_.size()) fail("unexpected end of input");
    return s_[pos_];
  }

  void expect(char c, const char* context) {
    if (peek() != c) fail(std::string("expected '") + c + "' " + context);
    ++pos_;
  }

  void literal(const char* word) {
    for (const char* p = word; *p; ++p, ++pos_)
      if (pos_ >= s_.size() || s_[pos_] != *p)
        fail(std::string("invalid literal, expected ") + word);
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    const char c = peek();
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return Value::make_string(string());
      case 't':
        literal("true");
        return Value::make_bool(true);
      case 'f':
        literal("false");
        return Value::make_bool(false);
      case 'n':
        literal("null");
        return Value();
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        fail("unexpected '" + std::string(1, c) + "'");
    }
  }

  Value object(int depth) {
    ++pos_;  // '{'
    Value::Members members;
    if (peek() == '}') return ++pos_, Value::make_object(std::move(members));
    while (true) {
      if (peek() != '"') fail("expected a string key");
      std::string key = string();
      expect(':', "after an object key");
      members.emplace_back(std::move(key), value(depth + 1));
      const char c = peek();
      ++pos_;
      if (c == '}') return Value::make_object(std::move(members));
      if (c != ',') --pos_, fail("expected ',' or '}' in an object");
    }
  }

  Value array(int depth) {
    ++pos_;  // '['
    std::vector<Value> items;
    if (peek() == ']') return ++pos_, Value::make_array(std::move(items));
    while (true) {
      items.push_back(value(depth + 1));
      const char c = peek();
      ++pos_;
      if (c == ']') return Value::make_array(std::move(items));
      if (c != ',') --pos_, fail("expected ',' or ']' in an array");
    }
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (pos_ >= s_.size()) fail("unexpected end of input in a \\u escape");
      const char c = s_[pos_];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("invalid hex digit in a \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_];
      if (c == '"') return ++pos_, out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c, ++pos_;
        continue;
      }
      if (++pos_ >= s_.size()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair encodes one code point
            if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
              fail("unpaired surrogate in a \\u escape");
            pos_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("invalid low surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            fail("unpaired surrogate in a \\u escape");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_, fail(std::string("invalid escape '\\") + e + "'");
      }
    }
  }

  Value number() {
    const size_t start = pos_;
    bool integral = true;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const size_t d0 = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == d0) fail("expected a digit");
    };
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;  // JSON forbids leading zeros
    } else {
      digits();
    }
    if (pos_ < s_.size() && s_[pos_] == '.') ++pos_, integral = false, digits();
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_, integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      digits();
    }
    const std::string text = s_.substr(start, pos_ - start);
    if (integral) {
      errno = 0;
      const long long i = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) return Value::make_int(i);  // else out of int64 range: keep as double
    }
    return Value::make_double(std::strtod(text.c_str(), nullptr));
  }

  const std::string& s_;
  size_t pos_ = 0;
};

[[noreturn]] void wrong_type(const char* wanted, Value::Type got) {
  throw std::runtime_error(std::string("expected ") + wanted + ", found " + type_name(got));
}

}  // namespace

const char* type_name(Value::Type t) {
  switch (t) {
    case Value::Type::Null:
      return "null";
    case Value::Type::Bool:
      return "a boolean";
    case Value::Type::Int:
      return "an integer";
    case Value::Type::Double:
      return "a number";
    case Value::Type::String:
      return "a string";
    case Value::Type::Array:
      return "an array";
    case Value::Type::Object:
      return "an object";
  }
  return "?";
}

Value Value::make_bool(bool b) {
  Value v;
  v.type_ = Type::Bool, v.bool_ = b;
  return v;
}
Value Value::make_int(int64_t i) {
  Value v;
  v.type_ = Type::Int, v.int_ = i;
  return v;
}
Value Value::make_double(double d) {
  Value v;
  v.type_ = Type::Double, v.double_ = d;
  return v;
}
Value Value::make_string(std::string s) {
  Value v;
  v.type_ = Type::String, v.string_ = std::move(s);
  return v;
}
Value Value::make_array(std::vector<Value> items) {
  Value v;
  v.type_ = Type::Array, v.array_ = std::move(items);
  return v;
}
Value Value::make_object(Members members) {
  Value v;
  v.type_ = Type::Object, v.object_ = std::move(members);
  return v;
}

bool Value::as_bool() const {
  if (type_ != Type::Bool) wrong_type("a boolean", type_);
  return bool_;
}

int64_t Value::as_int() const {
  if (type_ == Type::Int) return int_;
  // 2^63 itself is a whole double that does not fit int64.
  if (type_ == Type::Double && std::floor(double_) == double_ && std::fabs(double_) < 9.2e18)
    return static_cast<int64_t>(double_);
  wrong_type("an integer", type_);
}

double Value::as_double() const {
  if (type_ == Type::Int) return static_cast<double>(int_);
  if (type_ == Type::Double) return double_;
  wrong_type("a number", type_);
}

const std::string& Value::as_string() const {
  if (type_ != Type::String) wrong_type("a string", type_);
  return string_;
}

const std::vector<Value>& Value::as_array() const {
  if (type_ != Type::Array) wrong_type("an array", type_);
  return array_;
}

const Value::Members& Value::as_object() const {
  if (type_ != Type::Object) wrong_type("an object", type_);
  return object_;
}

const Value* Value::find(const std::string& key) const {
  for (const auto& m : as_object())
    if (m.first == key) return &m.second;
  return nullptr;
}

const Value& Value::at(const std::string& key) const {
  const Value* v = find(key);
  if (!v) throw std::runtime_error("missing key '" + key + "'");
  return *v;
}

Value parse(const std::string& text) { return Parser(text).document(); }

}  // namespace bitshift::json_lite
