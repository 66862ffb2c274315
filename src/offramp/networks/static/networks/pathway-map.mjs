// The pathway map: draws a group's network from the JSON the page carries. Progressive
// enhancement only: the tables on the page hold the same information, and the filters are a
// plain form that redraws the page.
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";

const PEOPLE = {
  member: "#942514",
  victim: "#54319f",
  linked: "#505a5f",
  periphery: "#1d70b8",
};
const TIES = {
  family_network: "#f47738",
  intimate_relationships: "#d53880",
  associates: "#505a5f",
  prison_network: "#6f72af",
  online_network: "#28a197",
};

const container = document.getElementById("pathway-map");
const source = document.getElementById("pathway-map-data");

if (container && source) {
  const data = JSON.parse(source.textContent);
  // A member's role; for everyone else how they are linked, if at all, and the factors.
  const caption = (node) => {
    if (node.kind === "member") return node.link;
    const parts = node.kind === "periphery" ? [node.factors] : [node.link, node.factors];
    return parts.filter(Boolean).join("; ");
  };
  const cy = cytoscape({
    container,
    elements: [
      ...data.nodes.map((node) => ({ data: { ...node, caption: caption(node) } })),
      ...data.edges.map((edge) => ({ data: edge })),
    ],
    style: [
      {
        selector: "node",
        style: {
          "background-color": (node) => PEOPLE[node.data("kind")],
          label: (node) => `${node.data("label")}\n${node.data("caption")}`,
          "text-wrap": "wrap",
          "text-max-width": "160px",
          "font-size": "11px",
          "min-zoomed-font-size": 10,
          color: "#0b0c0c",
          "text-valign": "bottom",
          "text-margin-y": 4,
          width: 22,
          height: 22,
        },
      },
      { selector: "node[kind = 'victim']", style: { shape: "diamond" } },
      { selector: "node[kind = 'member']", style: { shape: "round-rectangle" } },
      {
        selector: "edge",
        style: {
          "line-color": (edge) => TIES[edge.data("factor")],
          width: 2,
          "curve-style": "bezier",
        },
      },
      { selector: "edge[?ended]", style: { "line-style": "dashed", opacity: 0.6 } },
    ],
  });
  // The group's members first, then one tie out, then two: in rows for a small map, in rings
  // around the members for a large one (labels appear as you zoom in).
  const rows = {
    name: "breadthfirst",
    roots: cy.nodes("[ring = 0]"),
    directed: false,
    spacingFactor: 1.1,
  };
  const rings = {
    name: "concentric",
    concentric: (node) => 10 - node.data("ring"),
    levelWidth: () => 1,
    minNodeSpacing: 40,
  };
  cy.layout({ ...(cy.nodes().length > 12 ? rings : rows), animate: false }).run();
  container.dataset.people = String(cy.nodes().length);
  container.dataset.ties = String(cy.edges().length);
}
