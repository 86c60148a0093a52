#include "domain/athlete.h"

#include <algorithm>
#include <array>

#include "domain/case_folding.h"
#include "domain/cursor.h"
#include "domain/ids.h"
#include "domain/text.h"

namespace tt {
namespace {

// Officially assigned ISO 3166-1 alpha-3 codes (249, as in Debian's iso-codes), sorted for
// binary search. User-assigned codes such as XKX are not accepted.
constexpr std::array<std::string_view, 249> kCountryCodes = {
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
};
static_assert(std::is_sorted(kCountryCodes.begin(), kCountryCodes.end()),
              "binary search needs kCountryCodes sorted");

constexpr size_t kMaxDisciplines = 20;

}  // namespace

Status ApplyAthletePatch(const AthletePatch& patch, bool creating, Athlete& athlete) {
  FieldErrors errors;
  ApplyPatchFields(kAthleteFields, patch, creating, athlete, errors);
  return errors.ToStatus();
}

bool IsCountryCode(std::string_view code) {
  return std::binary_search(kCountryCodes.begin(), kCountryCodes.end(), code);
}

void CheckCountryCode(std::string_view field, const std::string& code, FieldErrors& errors) {
  if (!IsCountryCode(code)) {
    errors.Add(field, "must be an ISO 3166-1 alpha-3 code in uppercase, such as KEN");
  }
}

void CheckDisciplines(std::string_view field, const std::vector<std::string>& disciplines,
                      FieldErrors& errors) {
  if (disciplines.size() > kMaxDisciplines) {
    errors.Add(field, "must have at most " + std::to_string(kMaxDisciplines) + " items");
    return;
  }
  for (size_t i = 0; i < disciplines.size(); ++i) {
    CheckLength(std::string(field) + "[" + std::to_string(i) + "]", disciplines[i], 1, 50, errors);
  }
}

std::string EncodeAthleteCursor(const AthleteCursor& cursor) {
  return EncodeCursor({cursor.last_name_key, cursor.first_name_key, cursor.id});
}

std::optional<AthleteCursor> DecodeAthleteCursor(std::string_view text) {
  auto parts = DecodeCursor(text, 3);
  if (!parts || !IsValidId((*parts)[2])) return std::nullopt;
  return AthleteCursor{std::move((*parts)[0]), std::move((*parts)[1]), std::move((*parts)[2])};
}

AthleteCursor CursorOf(const Athlete& athlete) {
  return AthleteCursor{FoldCase(athlete.last_name), FoldCase(athlete.first_name), athlete.id};
}

std::string EncodeFollowCursor(const FollowCursor& cursor) {
  return EncodeCursor({std::to_string(cursor.followed_at.time_since_epoch().count()), cursor.id});
}

std::optional<FollowCursor> DecodeFollowCursor(std::string_view text) {
  const auto parts = DecodeCursor(text, 2);
  if (!parts) return std::nullopt;
  const auto micros = internal::ParseCanonicalInt64((*parts)[0]);
  if (!micros || !IsValidId((*parts)[1])) return std::nullopt;
  return FollowCursor{Timestamp{std::chrono::microseconds{*micros}}, (*parts)[1]};
}

}  // namespace tt
