#include <iostream>

#include "pade/version.hpp"

int main() {
  std::cout << "pade " << pade::core::kVersion << " (" << pade::core::kGitCommit << ")\n";
  return 0;
}
