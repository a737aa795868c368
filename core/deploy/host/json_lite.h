#pragma once
// A minimal JSON reader (objects, arrays, strings with escapes, numbers, true/false/null) for
// the export bundle's standalone reader, which may use nothing beside std and OpenCL. Numbers
// without fraction or exponent that fit int64 stay exact integers. Errors are
// std::runtime_error naming the byte offset ("JSON: expected ',' or '}' at byte 120").
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bitshift::json_lite {

class Value {
 public:
  enum class Type { Null, Bool, Int, Double, String, Array, Object };
  using Members = std::vector<std::pair<std::string, Value>>;  // in file order

  Value() = default;
  static Value make_bool(bool b);
  static Value make_int(int64_t i);
  static Value make_double(double d);
  static Value make_string(std::string s);
  static Value make_array(std::vector<Value> items);
  static Value make_object(Members members);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_number() const { return type_ == Type::Int || type_ == Type::Double; }

  // Typed access; each throws std::runtime_error saying what was expected and what was found.
  bool as_bool() const;
  int64_t as_int() const;  // a Double is accepted when it is a whole number
  double as_double() const;
  const std::string& as_string() const;
  const std::vector<Value>& as_array() const;
  const Members& as_object() const;

  // Object members: find returns nullptr when absent; at throws "missing key 'name'".
  const Value* find(const std::string& key) const;
  const Value& at(const std::string& key) const;

 private:
  Type type_ = Type::Null;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0.0;
  std::string string_;
  std::vector<Value> array_;
  Members object_;
};

const char* type_name(Value::Type t);

// Parses one JSON document (surrounding whitespace allowed, nothing else after it).
Value parse(const std::string& text);

}  // namespace bitshift::json_lite
