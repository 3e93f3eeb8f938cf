//! The management APIs Portico serves, by name: their route tables and which operations are
//! built (`portico routes`, the README's tables).

use portico_mgmt::RouteTable;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApiName {
    /// `apigateway` 2015-07-09 (REST APIs).
    Apigateway,
    /// `apigatewayv2` 2018-11-29 (HTTP and WebSocket APIs).
    Apigatewayv2,
    /// Huawei Cloud APIG v2 (`huaweicloudsdkapig`).
    HuaweiApig,
    /// Huawei Cloud VPC Endpoint v1 (`huaweicloudsdkvpcep`).
    HuaweiVpcep,
    /// `lambda` 2015-03-31 (functions, versions, aliases, policies, Invoke).
    Lambda,
    /// Every API, each after a `# name` line.
    All,
}

/// One API's table and its "is this operation built" answer.
struct Room {
    name: &'static str,
    table: fn() -> RouteTable,
    supported: fn(&str) -> bool,
}

const ROOMS: &[(ApiName, Room)] = &[
    (
        ApiName::Apigateway,
        Room {
            name: "apigateway",
            table: portico_api_apigateway::routes::table,
            supported: portico_api_apigateway::is_supported,
        },
    ),
    (
        ApiName::Apigatewayv2,
        Room {
            name: "apigatewayv2",
            table: portico_api_apigatewayv2::routes::table,
            supported: portico_api_apigatewayv2::is_supported,
        },
    ),
    (
        ApiName::HuaweiApig,
        Room {
            name: "huawei-apig",
            table: portico_api_huawei::routes::apig,
            supported: portico_api_huawei::is_supported,
        },
    ),
    (
        ApiName::HuaweiVpcep,
        Room {
            name: "huawei-vpcep",
            table: portico_api_huawei::routes::vpcep,
            supported: portico_api_huawei::is_supported,
        },
    ),
    (
        ApiName::Lambda,
        Room {
            name: "lambda",
            table: portico_api_lambda::routes::table,
            supported: portico_api_lambda::is_supported,
        },
    ),
];

/// `Operation METHOD URI [STATUS] [supported|missing]` lines, sorted by operation.
pub fn route_listing(api: ApiName, status: bool, supported: bool) -> String {
    let mut out = String::new();
    for (name, room) in ROOMS {
        if api != ApiName::All && api != *name {
            continue;
        }
        if api == ApiName::All {
            out += &format!("# {}\n", room.name);
        }
        let table = (room.table)();
        let mut lines: Vec<String> = table
            .routes()
            .map(|r| {
                let mut l = format!("{} {} {}", r.operation, r.method, r.uri);
                if status {
                    l += &format!(" {}", r.status);
                }
                if supported {
                    l += if (room.supported)(r.operation) {
                        " supported"
                    } else {
                        " missing"
                    };
                }
                l
            })
            .collect();
        lines.sort();
        for l in lines {
            out += &l;
            out.push('\n');
        }
    }
    out
}
